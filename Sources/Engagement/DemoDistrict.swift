import Foundation
import Postgres
import Scoring

/// A realistic, deterministic district for demos and benchmarks: 90 schools in six clusters,
/// district goals, initiatives with theme keywords, bilingual surveys, responses and comments in
/// English and Spanish, events with attendance, volunteer shifts and sign-ups. Randomness comes
/// from PostgreSQL's `setseed`, so one seed always gives the same district.
public struct DemoDistrict: Sendable {
    /// How much of everything.
    public struct Size: Sendable {
        public var initiatives: Int
        public var participants: Int
        public var responses: Int
        public var feedback: Int
        public var events: Int
        /// Attendance rows per event: four headcounts (one per group) and this many check-ins.
        public var checkinsPerEvent: Int
        public var opportunities: Int
        public var shiftsPerOpportunity: Int
        /// Sign-ups per shift (capacity is one more).
        public var signupsPerShift: Int?
        /// Score the texts at load (each distinct text once, with the real scorer) instead of
        /// queueing a job per text: what makes a million-response district load in minutes.
        public var scoredAtLoad: Bool

        /// The everyday demo, its volumes multiplied by `scale`.
        public static func scaled(_ scale: Int) -> Size {
            let scale = max(1, scale)
            return Size(
                initiatives: 8,
                participants: 2_000 * scale,
                responses: 3_000 * scale,
                feedback: 1_500 * scale,
                events: 200 * scale,
                checkinsPerEvent: 5,
                opportunities: 12,
                shiftsPerOpportunity: 6,
                signupsPerShift: nil,
                scoredAtLoad: false
            )
        }

        /// District scale (`chorus demo --scale district`): 1,000,000 responses, 300,000
        /// attendance rows and 100,000 sign-ups over 50 initiatives and 90 schools.
        public static let district = Size(
            initiatives: 50,
            participants: 150_000,
            responses: 1_000_000,
            feedback: 100_000,
            events: 30_000,
            checkinsPerEvent: 6,
            opportunities: 500,
            shiftsPerOpportunity: 20,
            signupsPerShift: 10,
            scoredAtLoad: true
        )
    }

    public var seed: Int
    public var size: Size

    public init(seed: Int = 42, scale: Int = 1) {
        self.init(seed: seed, size: .scaled(scale))
    }

    public init(seed: Int = 42, size: Size) {
        self.seed = seed
        self.size = size
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var counts: [(String, Int)]
        public var description: String { counts.map { "\($0.1) \($0.0)" }.joined(separator: ", ") }
    }

    public func isEmpty(on client: PostgresClient) async throws -> Bool {
        try await client.query("SELECT 1 FROM initiatives LIMIT 1").isEmpty
    }

    static let languages = ["en", "es", "vi", "ar", "fr", "zh-Hans"]
    static let clusters = ["North", "South", "East", "West", "Central", "Riverside"]
    static let initiatives: [(slug: String, title: String, goal: String, keywords: [String])] = [
        (
            "technology-in-classrooms", "Technology in classrooms", "G2",
            ["wifi", "laptop", "chromebook", "tablet", "internet", "computadora", "tecnología"]
        ),
        ("early-literacy", "Early literacy", "G1", ["reading", "books", "library", "lectura", "libros", "biblioteca"]),
        ("math-curriculum", "New math curriculum", "G1", ["math", "homework", "curriculum", "matemáticas", "tarea"]),
        ("family-engagement", "Family engagement nights", "G3", ["family night", "workshop", "parents", "familias", "taller"]),
        ("safe-routes", "Safe routes to school", "G4", ["bus", "crossing", "traffic", "safety", "autobús", "seguridad"]),
        ("school-meals", "School meals", "G4", ["lunch", "breakfast", "cafeteria", "food", "comida", "desayuno"]),
        ("data-and-reporting", "Data and reporting", "G2", ["report card", "portal", "grades", "calificaciones"]),
        ("community-partnerships", "Community partnerships", "G3", ["volunteer", "partners", "mentors", "voluntarios"]),
    ]
    /// Initiatives beyond the eight named ones: these programmes in each cluster.
    static let programmes: [(title: String, goal: String, keywords: [String])] = [
        ("STEM labs", "G1", ["science", "lab", "ciencia"]), ("Attendance outreach", "G3", ["attendance", "absences", "asistencia"]),
        ("After-school tutoring", "G1", ["tutoring", "tutor", "tutoría"]), ("Mental health supports", "G4", ["counselor", "consejero"]),
        ("Arts for all", "G3", ["music", "art", "arte"]), ("Digital citizenship", "G2", ["online", "phone", "teléfono"]),
        ("Newcomer welcome", "G3", ["translation", "interpreter", "traducción"]),
    ]

    /// A random demo comment in the language `column` holds, as SQL.
    static func comment(in column: String) -> PostgresQuery {
        func pick(_ texts: [String]) -> PostgresQuery { "(\(texts)::text[])[1 + (random() * \(texts.count - 1))::int]" }
        return """
            CASE \(unsafeSQL: column) WHEN 'es' THEN \(pick(commentsES)) WHEN 'vi' THEN \(pick(commentsVI))
                WHEN 'ar' THEN \(pick(commentsAR)) WHEN 'fr' THEN \(pick(commentsFR)) ELSE \(pick(commentsEN)) END
            """
    }

    static var comments: [String: [String]] { ["en": commentsEN, "es": commentsES, "vi": commentsVI, "ar": commentsAR, "fr": commentsFR] }

    /// The questions of every demo survey, as SQL VALUES rows (position, kind, prompt, required, choices).
    static let questions = """
        (1, 'likert_5', '{"en": "How satisfied are you with this initiative?", "es": "¿Qué tan satisfecho está con esta iniciativa?",
                          "vi": "Quý vị hài lòng với sáng kiến này đến mức nào?", "ar": "ما مدى رضاك عن هذه المبادرة؟",
                          "fr": "Dans quelle mesure êtes-vous satisfait de cette initiative ?"}', true, '[]'),
        (2, 'choice', '{"en": "How did you hear about it?", "es": "¿Cómo se enteró?", "vi": "Quý vị biết đến sáng kiến này bằng cách nào?",
                        "ar": "كيف عرفت عنها؟", "fr": "Comment en avez-vous entendu parler ?"}', false,
         '[{"value": "school", "label": {"en": "From the school", "es": "Por la escuela", "vi": "Từ nhà trường", "ar": "من المدرسة", "fr": "Par l''école"}},
           {"value": "friend", "label": {"en": "From a friend", "es": "Por un amigo", "vi": "Từ một người bạn", "ar": "من صديق", "fr": "Par un ami"}},
           {"value": "online", "label": {"en": "Online", "es": "En línea", "vi": "Trên mạng", "ar": "عبر الإنترنت", "fr": "En ligne"}}]'),
        (3, 'rating_0_10', '{"en": "How likely are you to recommend it?", "es": "¿Qué tan probable es que lo recomiende?",
                             "vi": "Quý vị có sẵn lòng giới thiệu sáng kiến này không?", "ar": "ما مدى احتمال أن توصي بها؟",
                             "fr": "Quelle est la probabilité que vous la recommandiez ?"}', false, '[]'),
        (4, 'text', '{"en": "What should we know?", "es": "¿Qué debemos saber?", "vi": "Chúng tôi nên biết điều gì?",
                      "ar": "ما الذي يجب أن نعرفه؟", "fr": "Que devrions-nous savoir ?"}', false, '[]')
        """

    static let commentsVI = [
        "Máy tính mới rất tốt nhưng mạng ở nhà quá chậm để làm bài tập.",
        "Con gái tôi rất thích chương trình đọc sách của trường.",
        "Xe buýt đến trễ gần như mỗi sáng.",
        "Cảm ơn nhà trường về buổi tối gia đình, rất hữu ích.",
    ]
    static let commentsAR = [
        "الحافلة تتأخر كل صباح تقريبا ولا أحد يرد على الهاتف.",
        "شكرا على الأمسية العائلية، كانت الورشة مفيدة جدا.",
        "ابني يحب برنامج القراءة الجديد.",
    ]
    static let commentsFR = [
        "Les nouveaux ordinateurs sont très bien, mais la connexion à la maison est trop lente pour les devoirs.",
        "Merci pour la soirée des familles, l'atelier était très utile.",
        "Le bus est en retard presque tous les matins et personne ne répond au téléphone.",
        "Les devoirs de mathématiques sont difficiles à comprendre pour nous.",
    ]

    static let commentsEN = [
        "The new laptops are great, but the wifi at home is too slow for homework.",
        "My daughter loves the reading program and brings home a new book every week.",
        "The bus is late almost every morning and nobody answers the phone.",
        "Thank you for the family night, the workshop on the parent portal was very helpful.",
        "The math homework is confusing and we cannot help our son with it.",
        "Lunch lines are too long and the kids do not have time to eat.",
        "Teachers are kind and always respond to my emails quickly.",
        "I am worried about traffic at the crossing near the school.",
        "The report card portal is hard to use on a phone.",
        "We need more volunteers in the library, I would like to help.",
        "Great job with the chromebooks, my son is learning a lot.",
        "The cafeteria food has improved, thank you!",
    ]
    static let commentsES = [
        "Las computadoras nuevas son excelentes, pero el internet en casa es muy lento.",
        "Mi hija está feliz con el programa de lectura.",
        "El autobús siempre llega tarde y nadie contesta el teléfono.",
        "Gracias por la noche familiar, el taller fue muy útil.",
        "La tarea de matemáticas es confusa y no podemos ayudar a nuestro hijo.",
        "La fila de la cafetería es muy larga y los niños no tienen tiempo para comer.",
        "Las maestras son muy amables y siempre responden.",
        "Me preocupa la seguridad en el cruce cerca de la escuela.",
        "El portal de calificaciones es difícil de usar en el teléfono.",
        "Quiero ser voluntaria en la biblioteca.",
    ]

    /// Loads the district in one transaction.
    public func load(on client: PostgresClient) async throws -> Summary {
        let textState = size.scoredAtLoad ? "scored" : "pending"
        return try await client.withTransaction { db in
            // setseed takes a value in [-1, 1]; the same seed gives the same district.
            try await db.query("SELECT setseed(\(Double(seed % 1000) / 1000.0))")
            // The demo district offers the languages its surveys are written in (issue 13).
            try await DistrictSettings.update(
                .init(name: "Demo City Public Schools", languages: Self.languages),
                actor: "chorus demo",
                on: db
            )
            try await db.query(
                """
                INSERT INTO district_goals (code, title, description) VALUES
                ('G1', '{"en": "Every student reads and computes at grade level", "es": "Cada estudiante lee y calcula a nivel de grado"}',
                 '{"en": "Academic achievement", "es": "Logro académico"}'),
                ('G2', '{"en": "Modern tools for learning", "es": "Herramientas modernas para aprender"}',
                 '{"en": "Technology and data", "es": "Tecnología y datos"}'),
                ('G3', '{"en": "Families and community as partners", "es": "Familias y comunidad como socios"}',
                 '{"en": "Engagement", "es": "Participación"}'),
                ('G4', '{"en": "Safe and healthy schools", "es": "Escuelas seguras y saludables"}', '{"en": "Wellbeing", "es": "Bienestar"}')
                """
            )
            try await db.query(
                """
                INSERT INTO schools (code, name, cluster, level, enrollment)
                SELECT 'SCH' || lpad(i::text, 3, '0'),
                       (ARRAY['Lincoln','Roosevelt','Cesar Chavez','Washington','Sojourner Truth','Jefferson','Garfield','Mistral','Hamilton','Douglass'])[1 + i % 10]
                         || ' ' || (ARRAY['Elementary','Middle School','High School','K-8 Academy'])[1 + (i / 10) % 4] || ' ' || i,
                       (\(Self.clusters)::text[])[1 + i % 6],
                       (ARRAY['elementary','middle','high','k8'])[1 + (i / 10) % 4],
                       200 + (random() * 1400)::int
                FROM generate_series(1, 90) AS i
                """
            )
            var initiatives = Self.initiatives.prefix(size.initiatives).map { $0 }
            for index in 0..<max(0, size.initiatives - initiatives.count) {
                let programme = Self.programmes[index % Self.programmes.count]
                let cluster = Self.clusters[(index / Self.programmes.count) % Self.clusters.count]
                let round = index / (Self.programmes.count * Self.clusters.count)
                let title = "\(programme.title) — \(cluster)" + (round > 0 ? " \(round + 1)" : "")
                let slug = title.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
                    .split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
                initiatives.append((slug, title, programme.goal, programme.keywords))
            }
            for item in initiatives {
                try await db.query(
                    """
                    INSERT INTO initiatives (slug, title, description, goal_id, status, starts_on, ends_on, theme_keywords)
                    SELECT \(item.slug), jsonb_build_object('en', \(item.title)::text), jsonb_build_object('en', \(item.title + " across the district.")::text),
                           id, 'active', '2026-08-01', '2027-07-31', \(item.keywords)
                    FROM district_goals WHERE code = \(item.goal)
                    """
                )
            }
            try await db.query(
                """
                INSERT INTO participants (contact_hash)
                SELECT sha256(convert_to('demo-participant-' || i, 'UTF8')) FROM generate_series(1, \(size.participants)) AS i
                """
            )
            try await db.query(
                """
                INSERT INTO surveys (initiative_id, title, opens_at, closes_at, anonymous)
                SELECT id, jsonb_build_object('en', (title ->> 'en') || ' — family survey', 'es', 'Encuesta para familias — ' || (title ->> 'en'),
                                              'vi', 'Khảo sát gia đình — ' || (title ->> 'en'), 'ar', 'استبيان الأسر — ' || (title ->> 'en'),
                                              'fr', 'Sondage des familles — ' || (title ->> 'en')),
                       '2026-08-15', '2027-06-30', false
                FROM initiatives
                """
            )
            try await db.query(
                """
                INSERT INTO survey_questions (survey_id, position, kind, prompt, required, choices, recommendation)
                SELECT s.id, q.position, q.kind::question_kind, q.prompt::jsonb, q.required, q.choices::jsonb, q.kind = 'rating_0_10'
                FROM surveys s CROSS JOIN (VALUES \(unsafeSQL: Self.questions)) AS q(position, kind, prompt, required, choices)
                """
            )
            // Responses across the school year, with a school, a group and often a known participant.
            try await db.query(
                """
                INSERT INTO responses (survey_id, initiative_id, school_id, participant_id, stakeholder_group, language, receipt, submitted_at)
                SELECT s.id, s.initiative_id,
                       -- Six large schools answer more (so results show schools apart at any scale).
                       (SELECT CASE WHEN y < 0.3 THEN 1 + (random() * 5)::int ELSE 1 + (random() * 89)::int END
                        FROM (SELECT random() + i * 0 AS y) big),
                       CASE WHEN random() < 0.7 THEN 1 + (random() * (\(size.participants) - 1))::int END,
                       (ARRAY['families','families','families','students','teachers_staff','community_partners','administrators','government_boards'])[1 + (random() * 7)::int]::stakeholder_group,
                       (SELECT CASE WHEN x < 0.55 THEN 'en' WHEN x < 0.85 THEN 'es' WHEN x < 0.9 THEN 'vi' WHEN x < 0.95 THEN 'ar' ELSE 'fr' END
                        FROM (SELECT random() + i * 0 AS x) roll),
                       'DEMO-' || i,
                       timestamptz '2026-08-20' + random() * (least(now(), timestamptz '2027-06-30') - timestamptz '2026-08-20')
                FROM generate_series(1, \(size.responses)) AS i
                JOIN (SELECT id, initiative_id, row_number() OVER (ORDER BY id) - 1 AS k FROM surveys) s ON s.k = i % \(size.initiatives)
                """
            )
            try await db.query(
                """
                INSERT INTO answers (response_id, question_id, number, choices, text, scoring_state)
                SELECT r.id, q.id,
                       -- Mostly satisfied, school 3 (a large one) clearly less so.
                       CASE q.kind
                           WHEN 'likert_5' THEN CASE WHEN r.school_id = 3
                               THEN CASE WHEN x < 0.25 THEN 1 WHEN x < 0.5 THEN 2 WHEN x < 0.75 THEN 3 WHEN x < 0.92 THEN 4 ELSE 5 END
                               ELSE CASE WHEN x < 0.07 THEN 1 WHEN x < 0.2 THEN 2 WHEN x < 0.45 THEN 3 WHEN x < 0.8 THEN 4 ELSE 5 END END
                           WHEN 'rating_0_10' THEN least(10, floor(11 * power(x, CASE WHEN r.school_id = 3 THEN 1.4 ELSE 0.6 END)))::int
                       END,
                       CASE WHEN q.kind = 'choice' THEN ARRAY[CASE WHEN x < 0.45 THEN 'school' WHEN x < 0.8 THEN 'friend' ELSE 'online' END] END,
                       CASE WHEN q.kind = 'text' THEN \(Self.comment(in: "r.language")) END,
                       CASE WHEN q.kind = 'text' THEN \(textState)::scoring_state END
                FROM responses r JOIN survey_questions q ON q.survey_id = r.survey_id,
                     LATERAL (SELECT random() + r.id * 0 + q.id * 0 AS x) roll
                WHERE q.kind <> 'text' OR r.id % 2 = 0
                """
            )
            try await db.query(
                """
                INSERT INTO feedback (initiative_id, school_id, participant_id, stakeholder_group, language, comment, receipt, created_at, scoring_state)
                SELECT n.id, 1 + (random() * 89)::int,
                       CASE WHEN random() < 0.5 THEN 1 + (random() * (\(size.participants) - 1))::int END,
                       (ARRAY['families','students','teachers_staff','community_partners'])[1 + (random() * 3)::int]::stakeholder_group,
                       lang,
                       \(Self.comment(in: "lang")),
                       'DEMO-F' || i,
                       timestamptz '2026-08-20' + random() * (least(now(), timestamptz '2027-06-30') - timestamptz '2026-08-20'),
                       \(textState)::scoring_state
                FROM generate_series(1, \(size.feedback)) AS i,
                     LATERAL (SELECT CASE WHEN x < 0.6 THEN 'en' WHEN x < 0.9 THEN 'es' WHEN x < 0.95 THEN 'vi' ELSE 'fr' END AS lang
                              FROM (SELECT random() + i * 0 AS x) roll) l,
                     (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM initiatives) n
                WHERE n.k = i % \(size.initiatives)
                """
            )
            try await db.query(
                """
                INSERT INTO events (title, kind, school_id, location, starts_at, ends_at, capacity)
                SELECT jsonb_build_object('en', (ARRAY['Family tech night','Reading celebration','Math workshop','Community meeting','Safety walk',
                                                       'Volunteer training'])[1 + i % 6] || ' #' || i),
                       (ARRAY['family_night','community','workshop','meeting','community','training'])[1 + i % 6],
                       1 + (random() * 89)::int, 'School gym', t, t + interval '2 hours', 40 + (random() * 160)::int
                FROM generate_series(1, \(size.events)) AS i,
                     -- Evenings at 18:00 on the district's clock, on a day between the first event day and today.
                     LATERAL (SELECT (date '2026-08-25' + ((random() + i * 0) * greatest(0, least(now(), timestamptz '2027-06-30')::date - date '2026-08-25'))::int
                                      + time '18:00') AT TIME ZONE (SELECT time_zone FROM district_settings) AS t) x
                """
            )
            try await db.query(
                """
                INSERT INTO event_initiatives (event_id, initiative_id)
                SELECT e.id, n.id FROM events e JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM initiatives) n
                    ON n.k = e.id % \(size.initiatives)
                """
            )
            try await db.query(
                """
                INSERT INTO attendance (event_id, kind, stakeholder_group, count, recorded_at)
                SELECT e.id, 'headcount', g::stakeholder_group, (random() * e.capacity / 3)::int, e.ends_at
                FROM events e CROSS JOIN unnest(ARRAY['families','students','teachers_staff','community_partners']) AS g
                """
            )
            try await db.query(
                """
                INSERT INTO attendance (event_id, kind, stakeholder_group, count, participant_id, recorded_at)
                SELECT e.id, 'checkin', 'families', 1, 1 + (random() * (\(size.participants) - 1))::int, e.starts_at
                FROM events e CROSS JOIN generate_series(1, \(size.checkinsPerEvent))
                """
            )
            try await db.query(
                """
                INSERT INTO volunteer_opportunities (initiative_id, school_id, title, description)
                SELECT n.id, 1 + (random() * 89)::int,
                       (ARRAY['{"en": "Library helpers", "es": "Ayudantes de biblioteca", "vi": "Người giúp thư viện"}',
                              '{"en": "Garden day", "es": "Día del jardín", "vi": "Ngày làm vườn"}',
                              '{"en": "Tech help desk", "es": "Mesa de ayuda tecnológica"}',
                              '{"en": "Crossing guards", "es": "Guardias de cruce"}',
                              '{"en": "Lunch buddies", "es": "Compañeros de almuerzo", "ar": "رفاق الغداء"}',
                              '{"en": "Family night setup", "es": "Preparación de la noche familiar"}'])[1 + i % 6]::jsonb,
                       '{"en": "Help out at school.", "es": "Ayude en la escuela."}'::jsonb
                FROM generate_series(1, \(size.opportunities)) AS i
                JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM initiatives) n ON n.k = i % \(size.initiatives)
                """
            )
            try await db.query(
                """
                INSERT INTO volunteer_shifts (opportunity_id, starts_at, ends_at, capacity, waitlist)
                SELECT o.id, t, t + interval '3 hours', coalesce(\(size.signupsPerShift.map { $0 + 1 })::int, 4 + (random() * 8)::int), true
                FROM volunteer_opportunities o CROSS JOIN generate_series(0, \(size.shiftsPerOpportunity - 1)) AS n,
                     -- Shifts at 8:00, 15:00 or 17:00 on the district's clock, spread over the year.
                     LATERAL (SELECT (date '2026-09-01' + (n * 180 / \(size.shiftsPerOpportunity) + random() * 10)::int
                                      + (ARRAY[time '08:00', time '15:00', time '17:00'])[1 + (random() * 2)::int])
                                     AT TIME ZONE (SELECT time_zone FROM district_settings) AS t) x
                """
            )
            try await db.query(
                """
                INSERT INTO signups (shift_id, participant_id, stakeholder_group, status, hours_reported, hours_approved)
                SELECT s.id, p, 'families',
                       CASE WHEN s.ends_at < now() THEN 'attended' ELSE 'confirmed' END::signup_status,
                       CASE WHEN s.ends_at < now() THEN 3 END, CASE WHEN s.ends_at < now() THEN 3 END
                FROM volunteer_shifts s CROSS JOIN LATERAL (
                    SELECT DISTINCT 1 + (random() * (\(size.participants) - 1) + s.id * 0)::int AS p FROM generate_series(1, s.capacity - 1)
                ) people
                """
            )
            if size.scoredAtLoad {
                try await scoreTexts(on: db)
                try await Rollups.rebuild(on: db)
            } else {
                // Every demo text waits for the scoring workers, as a real submission would.
                _ = try await TextScoring.enqueueRescore(initiativeID: nil, since: nil, all: true, on: db)
            }
            var counts: [(String, Int)] = []
            for table in ["schools", "initiatives", "surveys", "responses", "feedback", "events", "attendance", "signups"] {
                counts.append((table, try await db.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).one().decode(Int.self, at: 0)))
            }
            return Summary(counts: counts)
        }
    }

    /// Scores each distinct demo text once with the real scorer (every initiative's themes, as
    /// the `score-text` job does) and gives every comment and answer with that text its score.
    func scoreTexts(on db: PostgresConnection) async throws {
        let themes = try await db.query("SELECT slug, theme_keywords FROM initiatives WHERE cardinality(theme_keywords) > 0").map {
            Theme(name: try $0.decode(String.self, at: 0), keywords: try $0.decode([String].self, at: 1))
        }
        let scorer = try TextScorer().with(themes: themes)
        try await db.query(
            """
            CREATE TEMPORARY TABLE demo_scores (text text PRIMARY KEY, language text, confidence float8, neg float8, neu float8, pos float8,
                                                compound float8, keyphrases jsonb, themes jsonb) ON COMMIT DROP
            """
        )
        for (language, texts) in Self.comments {
            for text in texts {
                let score = scorer.score(text, formLanguage: language)
                let sentiment = score.sentiment
                try await db.query(
                    """
                    INSERT INTO demo_scores VALUES (\(text), \(score.language), \(score.languageConfidence), \(sentiment?.neg), \(sentiment?.neu),
                        \(sentiment?.pos), \(sentiment?.compound), \(PostgresJSON(score.keyphrases)), \(PostgresJSON(score.themes)))
                    ON CONFLICT (text) DO NOTHING
                    """
                )
            }
        }
        try await db.query(
            """
            INSERT INTO text_scores (source, source_id, scorer_version, initiative_id, language, language_confidence, neg, neu, pos, compound,
                                     keyphrases, themes)
            SELECT 'feedback', f.id, \(TextScorer.version), f.initiative_id, d.language, d.confidence, d.neg, d.neu, d.pos, d.compound,
                   d.keyphrases, d.themes
            FROM feedback f JOIN demo_scores d ON d.text = f.comment
            UNION ALL
            SELECT 'answer', a.id, \(TextScorer.version), r.initiative_id, d.language, d.confidence, d.neg, d.neu, d.pos, d.compound,
                   d.keyphrases, d.themes
            FROM answers a JOIN responses r ON r.id = a.response_id JOIN demo_scores d ON d.text = a.text
            """
        )
    }
}
