#!/usr/bin/env python3
"""The critical-term test set (issue 17, A6): labeled comments per language, written for Chorus
by its team, printed as JSON lines {"language", "text", "critical", "kind"}. Critical texts use
the listed terms, paraphrases that avoid them (recall is honest about those) and misspellings;
the others are ordinary school comments, some with near-miss words ("treat", "shot" of a
vaccine). Deterministic: the same set every run. A bench that scores it with Chorus comes next."""
import json, random, sys

CRITICAL = {
    "en": (["Yesterday {x} at school.", "My daughter told me {x}.", "Please act now: {x}.", "I am scared because {x}.",
            "Someone has to know that {x}.", "At the bus stop {x}.", "This week {x}.", "I think {x} and nobody helps."],
           ["a boy brought a gun", "an older student has a knife", "there was a fight and a kid was beaten", "she is bullied every day",
            "he is being harassed online", "my son talks about suicide", "she said she wants to die", "a teacher touched him inappropriately",
            "kids are selling drugs in the bathroom", "someone made a bomb threat", "he is cutting himself", "the playground is not safe",
            "a student threatened to shoot people", "he was punched in the hallway", "she was abused at home"],
           ["someone brought something to hurt people", "she does not want to live anymore", "they keep picking on him and pushing him",
            "an adult keeps sending her messages and asking to meet"]),
    "es": (["Ayer {x} en la escuela.", "Mi hija me contó que {x}.", "Por favor actúen: {x}.", "Tengo miedo porque {x}.",
            "Alguien tiene que saber que {x}.", "En la parada del autobús {x}.", "Esta semana {x}.", "Creo que {x} y nadie ayuda."],
           ["un niño trajo una pistola", "un alumno tiene un cuchillo", "hubo una pelea y golpearon a un niño", "sufre acoso todos los días",
            "lo están acosando en internet", "mi hijo habla de suicidio", "dice que quiere quitarse la vida", "un adulto la tocó",
            "venden drogas en el baño", "hubo una amenaza de bomba", "se corta los brazos", "el patio no es seguro",
            "un estudiante amenazó con disparar", "lo golpearon en el pasillo", "la maltratan en casa"],
           ["alguien trajo algo para hacer daño", "ya no quiere vivir", "se burlan de él y lo empujan siempre",
            "un adulto le manda mensajes y quiere verla"]),
    "fr": (["Hier {x} à l’école.", "Ma fille m’a dit que {x}.", "Agissez vite : {x}.", "J’ai peur parce que {x}.",
            "Il faut savoir que {x}.", "À l’arrêt de bus {x}.", "Cette semaine {x}.", "Je pense que {x} et personne n’aide."],
           ["un garçon a apporté une arme", "un élève a un couteau", "il y a eu une bagarre et un enfant a été frappé", "elle est harcelée tous les jours",
            "il est harcelé en ligne", "mon fils parle de suicide", "elle veut se tuer", "un adulte a eu des attouchements",
            "on vend de la drogue aux toilettes", "il y a eu une menace de bombe", "il se scarifie", "la cour n’est pas en sécurité",
            "un élève a menacé de tirer", "il a été frappé dans le couloir", "elle est maltraitée à la maison"],
           ["quelqu’un a apporté de quoi blesser", "elle ne veut plus vivre", "ils se moquent de lui et le poussent sans arrêt",
            "un adulte lui envoie des messages pour la voir"]),
    "vi": (["Hôm qua {x} ở trường.", "Con gái tôi kể rằng {x}.", "Xin hãy hành động: {x}.", "Tôi sợ vì {x}.",
            "Cần biết rằng {x}.", "Ở trạm xe buýt {x}.", "Tuần này {x}.", "Tôi nghĩ {x} mà không ai giúp."],
           ["một em mang súng", "một học sinh có con dao", "có đánh nhau và một em bị đánh", "con tôi bị bắt nạt mỗi ngày",
            "con bị quấy rối trên mạng", "con tôi nói về tự tử", "cháu nói muốn chết", "một người lớn sờ mó cháu",
            "có người bán ma túy trong nhà vệ sinh", "có người đe dọa đặt bom", "cháu tự làm hại bản thân", "sân chơi không an toàn",
            "một học sinh dọa giết người", "cháu bị đánh ở hành lang", "cháu bị ngược đãi ở nhà"],
           ["có người mang đồ để làm người khác đau", "cháu không muốn sống nữa", "các bạn trêu chọc và xô đẩy cháu",
            "một người lạ nhắn tin muốn gặp cháu"]),
    "zh-Hans": (["昨天在学校{x}。", "我女儿告诉我{x}。", "请立即处理：{x}。", "我很害怕，因为{x}。", "必须让人知道{x}。", "在公交车站{x}。", "这周{x}。", "我觉得{x}，没人帮忙。"],
                ["有个男孩带了枪", "一个学生带了刀", "有人打架，一个孩子被打", "她每天被欺负", "他在网上被骚扰", "我儿子谈到自杀",
                 "她说不想活了", "有个大人猥亵了他", "有人在厕所卖毒品", "有人发出炸弹威胁", "他在自残", "操场不安全",
                 "一个学生威胁要开枪", "他在走廊被殴打", "她在家里被虐待"],
                ["有人带了东西要伤人", "她说活着没意思", "同学总是推他嘲笑他", "有个陌生大人一直发消息要见她"]),
    "ar": (["أمس في المدرسة {x}.", "أخبرتني ابنتي أن {x}.", "أرجو التصرف الآن: {x}.", "أنا خائف لأن {x}.", "يجب أن تعرفوا أن {x}.", "عند موقف الحافلة {x}.", "هذا الأسبوع {x}.", "أظن أن {x} ولا أحد يساعد."],
           ["أحضر ولد مسدسًا", "مع طالب سكين", "حدث شجار وضُرب طفل", "تتعرض للتنمر كل يوم", "يتعرض للتحرش على الإنترنت", "ابني يتحدث عن الانتحار",
            "قالت إنها تريد أن تؤذي نفسها", "هناك اعتداء من شخص بالغ", "يبيعون المخدرات في الحمام", "وصل تهديد بقنبلة", "يؤذي نفسه", "الملعب غير آمن",
            "هدد طالب بإطلاق النار", "ضربوه في الممر", "تتعرض للتعنيف في البيت"],
           ["أحضر أحدهم شيئًا لإيذاء الناس", "لم تعد تريد العيش", "يسخرون منه ويدفعونه دائمًا", "رجل غريب يرسل لها رسائل ويريد لقاءها"]),
}
ORDINARY = {
    "en": ["The lunch menu is great this week.", "They treat the kids well.", "My son got his flu shot at the clinic day.", "The wifi in the library is slow.",
           "Please add more bus routes.", "Thank you for the reading program.", "Parent night was well organized.", "The homework app keeps crashing.",
           "We need more fruit at breakfast.", "The new math curriculum is confusing.", "Pickup lines are long after school.", "Great job with the science fair."],
    "es": ["El menú del almuerzo está muy bien esta semana.", "Tratan bien a los niños.", "El wifi de la biblioteca es lento.", "Por favor más rutas de autobús.",
           "Gracias por el programa de lectura.", "La noche de padres estuvo bien organizada.", "La aplicación de tareas falla.", "Necesitamos más fruta en el desayuno.",
           "El nuevo plan de matemáticas es confuso.", "La fila de salida es larga.", "Excelente feria de ciencias.", "Mi hija disparó su récord en lectura."],
    "fr": ["Le menu de la cantine est très bien cette semaine.", "Ils traitent bien les enfants.", "Le wifi de la bibliothèque est lent.", "Ajoutez des lignes de bus.",
           "Merci pour le programme de lecture.", "La soirée des parents était bien organisée.", "L’application des devoirs plante.", "Il faut plus de fruits au petit-déjeuner.",
           "Le nouveau programme de maths est confus.", "La sortie des classes est longue.", "Bravo pour la fête de la science.", "Le tir à l’arc au sport plaît beaucoup."],
    "vi": ["Thực đơn bữa trưa tuần này rất ngon.", "Thầy cô đối xử tốt với các cháu.", "Wifi ở thư viện chậm.", "Xin thêm tuyến xe buýt.",
           "Cảm ơn chương trình đọc sách.", "Buổi họp phụ huynh được tổ chức tốt.", "Ứng dụng bài tập hay bị lỗi.", "Cần thêm trái cây vào bữa sáng.",
           "Chương trình toán mới khó hiểu.", "Hàng đón con sau giờ học rất dài.", "Hội chợ khoa học rất hay.", "Bạn của cháu rất tốt bụng."],
    "zh-Hans": ["这周的午餐菜单很好。", "老师对孩子们很好。", "图书馆的网络很慢。", "请增加校车路线。", "感谢阅读项目。", "家长会组织得很好。",
                "作业软件经常崩溃。", "早餐需要更多水果。", "新的数学课程让人困惑。", "放学接孩子排队很长。", "科学展办得很棒。", "孩子的杀毒软件课很有用。"],
    "ar": ["قائمة الغداء ممتازة هذا الأسبوع.", "يعاملون الأطفال معاملة حسنة.", "الإنترنت في المكتبة بطيء.", "نرجو زيادة خطوط الحافلات.", "شكرًا على برنامج القراءة.",
           "كانت أمسية أولياء الأمور منظمة.", "تطبيق الواجبات يتعطل.", "نحتاج فاكهة أكثر في الفطور.", "منهج الرياضيات الجديد محير.", "طابور الخروج طويل.",
           "معرض العلوم كان رائعًا.", "ابني يحب حصة الرياضة."],
}
OPENERS = {"en": ["", "Hello. ", "Hi, ", "Dear principal, ", "Good morning. ", "To the school: "], "es": ["", "Hola. ", "Buenos días, ", "Estimada directora, ", "Saludos. ", "A la escuela: "],
           "fr": ["", "Bonjour. ", "Madame, ", "Monsieur le directeur, ", "Bonsoir. ", "À l’école : "], "vi": ["", "Xin chào. ", "Kính gửi thầy hiệu trưởng, ", "Chào cô, ", "Chào thầy. ", "Gửi nhà trường: "],
           "zh-Hans": ["", "您好。", "校长您好，", "老师好，", "早上好。", "致学校："], "ar": ["", "مرحبًا. ", "السلام عليكم، ", "حضرة المدير، ", "صباح الخير. ", "إلى إدارة المدرسة: "]}

def misspell(text, rng):
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    w = words[longest]
    if len(w) >= 5:
        i = rng.randrange(1, len(w) - 2)
        words[longest] = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    return " ".join(words)

def main():
    rng = random.Random(17)
    for language, (frames, phrases, paraphrases) in CRITICAL.items():
        rows = []
        for frame in frames:
            for phrase in phrases:
                rows.append((frame.replace("{x}", phrase), True, "term"))
            for phrase in paraphrases:
                rows.append((frame.replace("{x}", phrase), True, "paraphrase"))
        latin = language in ("en", "es", "fr")
        for text, _, _ in list(rows)[: len(rows) // 4]:
            if latin:
                rows.append((misspell(text, rng), True, "misspelled"))
        for opener in OPENERS[language]:
            for text in ORDINARY[language]:
                rows.append((opener + text, False, "ordinary"))
        for text, critical, kind in rows:
            sys.stdout.write(json.dumps({"language": language, "text": text, "critical": critical, "kind": kind}, ensure_ascii=False) + "\n")

if __name__ == "__main__":
    main()
