#!/usr/bin/env python3
"""Real-browser tests of the web pages (headless Chromium through Selenium), run by Deploy/browser:
a family fills and submits a survey in Spanish and the response is in the database; a validation
error keeps the entered values; a liaison signs in and records a headcount; the dashboard renders
its charts; a family answers a survey in Vietnamese and one in Arabic (right to left, mirrored),
the language switch keeps its choice across pages; axe-core finds no serious or critical
violation on any public page. Screenshots of every page at 375 and 1280 px go to the artifacts
directory.
The first administrator follows the one-time link, chooses a password, invites a colleague and
reads the audit log in the staff console; builds an initiative and a bilingual survey, previews it
in Spanish and publishes it, a family answers it on a phone, the admin rewords a question (a new
version) and closes it, and the family's late answer is refused (issue 14, A1); every console page
passes axe and is photographed at 375 and 1280 px (A6). Issue 16: an event's poster QR code decodes
to its check-in address, a family RSVPs and checks in on a phone, a past event's check-in is closed.
Usage: browser_test.py BASE_URL TOKEN DATABASE_URL ARTIFACTS ADMIN_LINK"""
import email, email.policy, json, os, subprocess, sys, time, urllib.request
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from axe_selenium_python import Axe

base, token, database, artifacts, admin_link = sys.argv[1:6]
os.makedirs(artifacts, exist_ok=True)
failures = []


def check(condition, message):
    print(("ok   " if condition else "FAIL ") + message)
    if not condition:
        failures.append(message)


def sql(query):
    return subprocess.run(["psql", database, "-Atc", query], capture_output=True, text=True, check=True).stdout.strip()


def browser(language="en"):
    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", f"--lang={language}"]:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def screenshots(driver, name):
    for width in (375, 1280):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return Math.max(document.body.scrollHeight, 900)")
        driver.set_window_size(width, min(height, 6000))
        driver.save_screenshot(os.path.join(artifacts, f"{name}-{width}.png"))
    driver.set_window_size(1280, 900)


def accessible(driver, name):
    axe = Axe(driver)
    axe.inject()
    results = axe.run()
    bad = [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]
    for violation in bad:
        print(f"     {name}: {violation['id']} ({violation['impact']}): {violation['help']}")
    check(not bad, f"axe: no serious or critical violations on {name}")


def submit(driver, selector="form button[type=submit]"):
    """Clicks and waits for the next page (the old one going stale)."""
    old = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 15).until(lambda d: old.id != d.find_element(By.TAG_NAME, "html").id)


def fill_survey(driver, survey, comment):
    """Answers the required likert question, a choice, and the text question."""
    radios = driver.find_elements(By.CSS_SELECTOR, "input[type=radio]")
    radios[3].click()  # the first question's fourth option
    for area in driver.find_elements(By.CSS_SELECTOR, "textarea"):
        area.send_keys(comment)


# 1. A family in Spanish: the landing page, a survey, the receipt.
driver = browser("es")
try:
    driver.get(base + "/")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es", "the landing page is in Spanish from the browser's language")
    screenshots(driver, "landing")
    accessible(driver, "the landing page")
    survey = sql("SELECT id FROM surveys WHERE opens_at <= now() AND (closes_at IS NULL OR closes_at > now()) ORDER BY id LIMIT 1")
    before = int(sql("SELECT count(*) FROM responses WHERE language = 'es'"))
    driver.get(f"{base}/surveys/{survey}")
    screenshots(driver, "survey")
    accessible(driver, "a survey")
    # 2. A validation error keeps the entered values: the comment is typed, no group chosen.
    for area in driver.find_elements(By.CSS_SELECTOR, "textarea"):
        area.send_keys("El wifi de la escuela es muy lento")
    time.sleep(3.5)  # people take a while; faster forms are taken for bots
    submit(driver)
    summary = driver.find_elements(By.CSS_SELECTOR, ".error-summary")
    check(bool(summary) and "Por favor revise" in summary[0].get_attribute("textContent"), "errors are listed at the top, in Spanish")
    kept = [a.get_attribute("value") for a in driver.find_elements(By.CSS_SELECTOR, "textarea")]
    check("El wifi de la escuela es muy lento" in kept, "the typed comment is kept when the form comes back")
    screenshots(driver, "survey-errors")
    accessible(driver, "a survey with errors")
    fill_survey(driver, survey, "")
    driver.find_element(By.ID, "group").send_keys("M")  # "Madre, padre o familiar"
    time.sleep(3.5)
    submit(driver)
    receipt = driver.find_elements(By.CSS_SELECTOR, ".receipt")
    check(bool(receipt) and len(receipt[0].text) >= 10, "the family gets a receipt code")
    screenshots(driver, "thanks")
    after = int(sql("SELECT count(*) FROM responses WHERE language = 'es'"))
    check(after == before + 1, "the Spanish response is in the database")
    check(sql(f"SELECT count(*) FROM responses WHERE receipt = '{receipt[0].text if receipt else ''}'") == "1", "with that receipt")
    driver.get(base + "/feedback")
    screenshots(driver, "feedback")
    accessible(driver, "the comment form")
    shift = sql("SELECT s.id FROM volunteer_shifts s JOIN volunteer_opportunities o ON o.id = s.opportunity_id "
                "WHERE s.starts_at > now() AND s.cancelled_at IS NULL AND o.cancelled_at IS NULL ORDER BY s.id LIMIT 1")
    if shift:
        driver.get(f"{base}/volunteer/{shift}")
        screenshots(driver, "volunteer")
        accessible(driver, "a volunteer shift")
        opportunity = sql(f"SELECT opportunity_id FROM volunteer_shifts WHERE id = {shift}")
        driver.get(f"{base}/volunteer/opportunities/{opportunity}")
        check(len(driver.find_elements(By.CSS_SELECTOR, "main .cards li a")) >= 1, "an opportunity's page lists its dates")
        screenshots(driver, "volunteer-opportunity")
        accessible(driver, "a volunteer opportunity")
    # Issue 16: a volunteer's cancel link from an email, on a phone, in Spanish.
    signup = sql("SELECT s.id FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id "
                 "WHERE s.status = 'confirmed' AND sh.starts_at > now() AND sh.cancelled_at IS NULL ORDER BY s.id LIMIT 1")
    if signup:
        driver.get(base + "/unsubscribe/1-x")  # a bad link: a friendly page, and the link key exists from here on
        check(bool(driver.find_elements(By.TAG_NAME, "h1")), "a bad link gets a page")
        import base64, hashlib, hmac
        key = bytes.fromhex(sql("SELECT encode(value, 'hex') FROM settings WHERE key = 'link_key'"))
        mac = base64.urlsafe_b64encode(hmac.new(key, f"cancel:{signup}".encode(), hashlib.sha256).digest()[:16]).rstrip(b"=").decode()
        driver.set_window_size(375, 800)
        driver.get(f"{base}/volunteer/signups/{signup}-{mac}?lang=es")
        screenshots(driver, "cancel-signup")
        accessible(driver, "a volunteer's cancel page")
        check(sql(f"SELECT status FROM signups WHERE id = {signup}") == "confirmed", "opening the cancel link changes nothing")
        submit(driver, "form[method=post] button")
        check(sql(f"SELECT status FROM signups WHERE id = {signup}") == "cancelled", "the cancel button cancels the place")
        check("cancelado" in driver.find_element(By.TAG_NAME, "h1").text, "and says so in Spanish")
finally:
    driver.quit()

# 2b. Families in Vietnamese and in Arabic answer a survey in their language.
def answer_in(language, comment, rtl):
    driver = browser(language)
    try:
        driver.get(base + "/")
        html = driver.find_element(By.TAG_NAME, "html")
        check(html.get_attribute("lang") == language and html.get_attribute("dir") == ("rtl" if rtl else "ltr"),
              f"the landing page is in {language}, dir={html.get_attribute('dir')}")
        screenshots(driver, f"landing-{language}")
        accessible(driver, f"the landing page in {language}")
        survey = sql("SELECT id FROM surveys WHERE opens_at <= now() AND (closes_at IS NULL OR closes_at > now()) ORDER BY id LIMIT 1")
        before = int(sql(f"SELECT count(*) FROM responses WHERE language = '{language}'"))
        driver.get(f"{base}/surveys/{survey}")
        title = driver.find_element(By.TAG_NAME, "h1")
        check(not title.get_attribute("lang"), f"the survey's title is written in {language} ({title.text})")
        if rtl:
            # Mirrored: a radio button sits right of its label; nothing overflows sideways.
            radio = driver.find_element(By.CSS_SELECTOR, "input[type=radio]")
            label = driver.find_element(By.CSS_SELECTOR, f"label[for='{radio.get_attribute('id')}']")
            check(radio.location["x"] > label.location["x"], "in Arabic the radio button is right of its label")
            for width in (375, 1280):
                driver.set_window_size(width, 900)
                wide = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                check(wide <= 0, f"nothing overflows sideways at {width} px in Arabic ({wide} px)")
        screenshots(driver, f"survey-{language}")
        accessible(driver, f"a survey in {language}")
        fill_survey(driver, survey, comment)
        Select(driver.find_element(By.ID, "group")).select_by_value("families")
        time.sleep(3.5)
        submit(driver)
        receipt = driver.find_elements(By.CSS_SELECTOR, ".receipt")
        check(bool(receipt) and len(receipt[0].text) >= 10, f"the family gets a receipt code in {language}")
        screenshots(driver, f"thanks-{language}")
        accessible(driver, f"the receipt page in {language}")
        after = int(sql(f"SELECT count(*) FROM responses WHERE language = '{language}'"))
        check(after == before + 1, f"the response is stored with language {language}")
        return driver
    except BaseException:
        driver.quit()
        raise


answer_in("vi", "Wifi ở trường rất chậm, các con không học trực tuyến được", rtl=False).quit()
driver = answer_in("ar", "الإنترنت في المدرسة بطيء جدًا ولا يستطيع الأطفال الدراسة", rtl=True)
try:
    # The switch names each language in itself, and the choice is kept on the next page.
    driver.get(base + "/")
    names = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "ul.languages a, ul.languages span")]
    check("Tiếng Việt" in names and "العربية" in names and "Español" in names, f"the switch names the languages in themselves ({names})")
    driver.find_element(By.CSS_SELECTOR, "ul.languages a[hreflang=vi]").click()
    driver.get(base + "/feedback")
    check(driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi", "the chosen language is kept across pages")
    screenshots(driver, "feedback-vi")
finally:
    driver.quit()

# 3. A liaison signs in and records a headcount; 4. the dashboard renders its charts.
driver = browser("en")
try:
    driver.get(base + "/liaison/login")
    screenshots(driver, "liaison-login")
    driver.find_element(By.ID, "token").send_keys(token)
    submit(driver)
    check("/liaison" in driver.current_url and "/login" not in driver.current_url and "Record an event" in driver.page_source,
          f"the liaison is signed in ({driver.current_url})")
    screenshots(driver, "liaison-events")
    event = sql("SELECT id FROM events ORDER BY starts_at DESC LIMIT 1")
    before = int(sql(f"SELECT coalesce(sum(count), 0) FROM attendance WHERE event_id = {event}"))
    driver.get(f"{base}/liaison/events/{event}")
    driver.find_element(By.ID, "count-families").send_keys("17")
    driver.find_element(By.ID, "count-students").send_keys("4")
    submit(driver, "section[aria-labelledby=headcount-title] button")
    check("Saved." in driver.page_source, f"the headcount is saved ({driver.current_url})")
    after = int(sql(f"SELECT coalesce(sum(count), 0) FROM attendance WHERE event_id = {event}"))
    check(after == before + 21, "and is in the database")
    screenshots(driver, "liaison-event")
    driver.get(base + "/dashboard")
    check(len(driver.find_elements(By.CSS_SELECTOR, "table.scores tbody tr")) >= 1, "the dashboard lists the initiatives")
    screenshots(driver, "dashboard")
    submit(driver, "table.scores tbody a")
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    check(len(charts) == 4 and all(c.size["width"] > 100 and c.size["height"] > 20 for c in charts), "an initiative's four charts render")
    screenshots(driver, "dashboard-initiative")
finally:
    driver.quit()

# 5. The first administrator, from the link Deploy/run prints, in the staff console.
driver = browser("en")
try:
    driver.get(admin_link)
    screenshots(driver, "console-welcome")
    accessible(driver, "the console's choose-a-password page")
    for field in ("password", "confirm"):
        driver.find_element(By.ID, field).send_keys("a long and unrelated passphrase")
    submit(driver)
    check(driver.current_url.split("?")[0].endswith("/console"), f"the admin is signed in to the console ({driver.current_url})")
    screenshots(driver, "console-home")
    accessible(driver, "the console's home page")
    driver.get(base + "/console/accounts")
    check(driver.find_elements(By.ID, "invite") != [], f"the admin opens the accounts page ({driver.current_url})")
    driver.find_element(By.ID, "name").send_keys("Rosa Liaison")
    driver.find_element(By.ID, "email").send_keys("rosa@district.example")
    Select(driver.find_element(By.ID, "role")).select_by_value("liaison")
    submit(driver, "form[action^='/console/accounts?'] button")
    links = driver.find_elements(By.CSS_SELECTOR, "code.link")
    check(bool(links) and "/console/welcome/" in links[0].text, "an invitation gives a one-time link")
    check(sql("SELECT count(*) FROM staff_accounts WHERE email = 'rosa@district.example' AND role = 'liaison'") == "1", "the account is in the database")
    screenshots(driver, "console-accounts")
    accessible(driver, "the console's accounts page")
    driver.get(base + "/console/audit")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.scores tbody tr")
    check(len(rows) >= 4, f"the audit log lists the changes ({len(rows)} rows)")
    for width in (375, 1280):
        driver.set_window_size(width, 900)
        wide = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(wide <= 0, f"the audit page does not overflow the window at {width} px ({wide} px)")
    screenshots(driver, "console-audit")
    accessible(driver, "the console's audit log")
    # 6. Issue 14, A1: an initiative and a bilingual survey with a question of each kind,
    # previewed in Spanish, published, answered by a family on a phone, reworded (a new
    # version) and closed; the family's late answer is refused with a friendly page.
    driver.get(base + "/console/initiatives")
    driver.find_element(By.ID, "slug").send_keys("browser-built")
    driver.find_element(By.ID, "title_en").send_keys("Built in the browser")
    driver.find_element(By.ID, "title_es").send_keys("Hecha en el navegador")
    Select(driver.find_element(By.ID, "owner")).select_by_index(1)
    screenshots(driver, "console-initiatives")
    accessible(driver, "the console's initiatives page")
    submit(driver, "form[action^='/console/initiatives'] button")
    initiative = sql("SELECT id FROM initiatives WHERE slug = 'browser-built'")
    check(initiative != "", "the initiative is in the database")
    driver.get(base + "/console/surveys")
    Select(driver.find_element(By.ID, "initiative_id")).select_by_value(initiative)
    driver.find_element(By.ID, "title").send_keys("Homework help")
    driver.execute_script("arguments[0].value = '2026-01-05T08:00'", driver.find_element(By.ID, "opens_at"))
    Select(driver.find_element(By.ID, "kind")).select_by_value("likert_5")
    driver.find_element(By.ID, "prompt").send_keys("How useful is homework help?")
    screenshots(driver, "console-surveys")
    accessible(driver, "the console's surveys page")
    submit(driver, "form[action^='/console/surveys?'] button")
    built = driver.current_url.split("?")[0].rsplit("/", 1)[-1]
    check(built.isdigit(), f"the draft opens in the builder ({driver.current_url})")
    check(bool(driver.find_elements(By.CSS_SELECTOR, ".missing")), "the builder flags the missing Spanish texts")
    for kind in ("choice", "multi_choice", "rating_0_10", "text"):
        Select(driver.find_element(By.ID, "new_kind")).select_by_value(kind)
        driver.find_element(By.ID, "new_prompt").send_keys(f"English {kind}")
        submit(driver, "button[name=action][value=save]")
        for problem in driver.find_elements(By.CSS_SELECTOR, ".error-summary"):
            print("     the builder said:", problem.text)
    check(sql(f"SELECT count(DISTINCT kind) FROM survey_questions WHERE survey_id = {built}") == "5", "one question of each kind")
    driver.find_element(By.ID, "title_es").send_keys("Ayuda con las tareas")
    for index in range(5):
        driver.find_element(By.ID, f"q{index}_prompt_es").send_keys(f"Pregunta {index + 1} en español")
    for index in (1, 2):
        driver.find_element(By.ID, f"q{index}_labels_es").send_keys("Sí\nNo")
    submit(driver, "button[name=action][value=save]")
    check("Saved." in driver.page_source, "the Spanish texts are saved")
    missing = driver.find_elements(By.CSS_SELECTOR, ".missing-summary")
    check(bool(missing) and "Español" not in missing[0].text and "Français" in missing[0].text, "Spanish is complete; the languages left are listed")
    screenshots(driver, "console-survey")
    accessible(driver, "the survey builder")
    driver.get(f"{base}/console/surveys/{built}/preview?lang=es")
    check("Pregunta 1 en español" in driver.page_source and "Ayuda con las tareas" in driver.page_source, "the preview is in Spanish")
    screenshots(driver, "console-preview-es")
    accessible(driver, "the survey preview")
    driver.get(f"{base}/console/surveys/{built}")
    submit(driver, f"form[action^='/console/surveys/{built}/publish'] button")
    check(sql(f"SELECT published_at IS NOT NULL FROM surveys WHERE id = {built}") == "t", "the survey is published")

    family = browser("es")
    try:
        family.set_window_size(375, 900)
        family.get(f"{base}/surveys/{built}")
        check("Ayuda con las tareas" in family.page_source, "the family sees the survey in Spanish on a phone")
        radios = family.find_elements(By.CSS_SELECTOR, "input[type=radio]")
        radios[3].click()
        family.find_element(By.ID, "group").send_keys("M")
        time.sleep(3.5)
        submit(family, "form button[type=submit]")
        check(bool(family.find_elements(By.CSS_SELECTOR, ".receipt")), "the family's answer is received")
        family.get(f"{base}/surveys/{built}")  # the family opens it again, then the admin closes it

        driver.get(f"{base}/console/surveys/{built}")
        prompt = driver.find_element(By.ID, "q0_prompt_en")
        prompt.clear()
        prompt.send_keys("How useful was homework help this term?")
        submit(driver, "button[name=action][value=save]")
        first = sql(f"SELECT id FROM survey_questions WHERE survey_id = {built} AND position = 1")
        check(sql(f"SELECT version FROM survey_questions WHERE id = {first}") == "2", "the new wording is version 2")
        check(sql(f"SELECT question_version FROM answers WHERE question_id = {first}") == "1", "the earlier answer keeps version 1")
        submit(driver, f"form[action^='/console/surveys/{built}/close'] button")
        check(sql(f"SELECT closes_at <= now() FROM surveys WHERE id = {built}") == "t", "the survey is closed")

        family.find_elements(By.CSS_SELECTOR, "input[type=radio]")[4].click()
        family.find_element(By.ID, "group").send_keys("M")
        time.sleep(3.5)
        submit(family, "form button[type=submit]")
        check(not family.find_elements(By.CSS_SELECTOR, ".receipt") and bool(family.find_elements(By.TAG_NAME, "h1")), "the late answer is refused with a page")
        check(sql(f"SELECT count(*) FROM responses WHERE survey_id = {built}") == "1", "and nothing is stored")
        screenshots(family, "survey-closed-es")
        accessible(family, "the page refusing a late answer")
    finally:
        family.quit()
    # 7. A6: every other console page, axe-checked and photographed at 375 and 1280 px.
    driver.get(base + "/console/events")
    driver.find_element(By.ID, "title_en").send_keys("Open house")
    driver.find_element(By.ID, f"initiative-{initiative}").click()
    driver.execute_script("arguments[0].value = '2026-12-10T18:00'", driver.find_element(By.ID, "starts_at"))
    driver.execute_script("arguments[0].value = '2026-12-10T20:00'", driver.find_element(By.ID, "ends_at"))
    screenshots(driver, "console-events")
    accessible(driver, "the console's events page")
    submit(driver, "form[action^='/console/events?'] button")
    check("/console/events/" in driver.current_url, f"a new event opens for editing ({driver.current_url})")
    screenshots(driver, "console-event")
    accessible(driver, "an event in the console")
    driver.find_element(By.ID, "reason").send_keys("Moved to the spring")
    submit(driver, "form[action*='/cancel'] button")
    check(sql("SELECT count(*) FROM events WHERE cancel_reason = 'Moved to the spring'") == "1", "the event is cancelled with its reason")
    for path, name in [
        (f"/console/initiatives/{initiative}", "console-initiative"), ("/console/me", "console-me"),
        ("/console/settings", "console-settings"), ("/console/surveys?lang=ar", "console-surveys-ar"),
        ("/console/schools", "console-schools"), ("/console/opportunities", "console-opportunities"),
        ("/console/goals", "console-goals"), (f"/console/surveys/{built}/results?by=school", "console-results"),
        (f"/console/surveys/{built}/results?lang=ar", "console-results-ar"),
        ("/console/messages", "console-messages"), ("/console/messages?lang=ar", "console-messages-ar"),
("/console/hours", "console-hours"), ("/console/hours?lang=ar", "console-hours-ar"),
                (f"/console/invitations/{built}", "console-invitations"), (f"/console/invitations/{built}?lang=ar", "console-invitations-ar"),
    ]:
        driver.get(base + path)
        for width in (375, 1280):
            driver.set_window_size(width, 900)
            wide = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            check(wide <= 0, f"{path} does not overflow the window at {width} px ({wide} px)")
        screenshots(driver, name)
        accessible(driver, f"the console page {path}")
    # Issue 15, A6: the results page draws a chart per question and one of the response rates.
    driver.get(base + f"/console/surveys/{built}/results")
    charts = driver.find_elements(By.CSS_SELECTOR, "svg[role=img]")
    questions = int(sql(f"SELECT count(*) FROM survey_questions WHERE survey_id = {built}"))
    check(len(charts) == questions + 1, f"the results page has {questions} question charts and the rates ({len(charts)})")
    check(all(c.find_elements(By.TAG_NAME, "desc") for c in charts), "every chart says its values in words")
    driver.get(base + "/console/login?lang=ar")
    screenshots(driver, "console-login-ar")
    accessible(driver, "the console's sign-in page in Arabic")
finally:
    driver.quit()

# 8. Issue 16, A3: the poster's QR code decodes (zbarimg on the browser's own rendering) to the
# event's check-in address; a family RSVPs on a phone in Spanish and checks in from the code, linked
# to the RSVP; a past event's code opens a friendly "closed" page.
def new_event(title, starts, ends):
    return sql("INSERT INTO events (title, kind, starts_at, ends_at, languages, location) VALUES "
               f"('{{\"en\": \"{title}\", \"es\": \"{title} (es)\"}}', 'family_night', now() + interval '{starts}', "
               f"now() + interval '{ends}', '{{es,vi,so}}', 'Library') RETURNING id").splitlines()[0]


def decoded_poster(driver, event, name):
    driver.get(f"{base}/liaison/events/{event}/poster")
    driver.set_window_size(1280, 1400)
    png = os.path.join(artifacts, f"{name}-1280.png")
    driver.save_screenshot(png)
    shown = driver.find_element(By.CSS_SELECTOR, ".poster-url").text.strip()
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", png], capture_output=True, text=True).stdout.strip()
    check(decoded == shown and "/checkin/" in decoded, f"the poster's QR code decodes to its check-in address ({decoded!r})")
    return decoded


tonight = new_event("Reading night", "30 minutes", "150 minutes")
past = new_event("Science fair", "-6 hours", "-4 hours")
driver = browser("en")
try:
    driver.get(base + "/liaison/login")
    driver.find_element(By.ID, "token").send_keys(token)
    submit(driver)
    checkin_url = decoded_poster(driver, tonight, "poster")
    check(len(driver.find_elements(By.CSS_SELECTOR, ".poster-scan li[lang=vi]")) == 1 and len(driver.find_elements(By.CSS_SELECTOR, ".poster-scan li")) == 3, "the poster speaks the event's languages, each once")
    accessible(driver, "the check-in poster")
    closed_url = decoded_poster(driver, past, "poster-past")
    family = browser("es")
    try:
        family.set_window_size(375, 900)
        family.get(f"{base}/events/{tonight}")
        check("Noche de lectura" in family.page_source or "Reading night (es)" in family.page_source, "the event page is in Spanish")
        check("somalí" in family.page_source.lower(), "it names the languages spoken in Spanish")
        screenshots(family, "event-public-es")
        accessible(family, "an event's public page")
        Select(family.find_element(By.ID, "group")).select_by_value("families")
        party = family.find_element(By.ID, "party-size")
        party.clear()
        party.send_keys("3")
        family.find_element(By.ID, "contact-email").send_keys("lucia@example.org")
        family.find_element(By.ID, "contact-consent").click()
        time.sleep(3.2)
        submit(family)
        check(sql(f"SELECT party_size FROM event_rsvps WHERE event_id = {tonight}") == "3", "the RSVP is in the database")
        family.get(checkin_url)
        check(family.find_elements(By.CSS_SELECTOR, f"form[action^='/checkin/']"), "the QR code opens the phone check-in form")
        screenshots(family, "checkin-es")
        accessible(family, "the self check-in form")
        Select(family.find_element(By.ID, "group")).select_by_value("families")
        family.find_element(By.ID, "contact-email").send_keys("lucia@example.org")
        family.find_element(By.ID, "contact-consent").click()
        time.sleep(1.2)
        submit(family)
        check(sql(f"SELECT count(*) FROM attendance WHERE event_id = {tonight} AND self_checkin AND rsvp_id IS NOT NULL") == "1",
              "the check-in is attendance, linked to the RSVP")
        family.get(closed_url)
        check(family.find_elements(By.TAG_NAME, "h1") and "cerrado" in family.find_element(By.TAG_NAME, "h1").text,
              "outside its window the check-in is refused with a friendly page in Spanish")
        check(not family.find_elements(By.CSS_SELECTOR, "form[action^='/checkin/']"), "and no form")
        screenshots(family, "checkin-closed-es")
        accessible(family, "the closed check-in page")
    finally:
        family.quit()
    driver.get(f"{base}/liaison/events/{tonight}")
    check("lucia" not in driver.page_source, "the liaison's lists show no one's details")
    rows = driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=rsvps-title] tbody tr")
    check(len(rows) == 1 and "3" in rows[0].text, "the liaison page lists the RSVP and who came")
    check(len(driver.find_elements(By.CSS_SELECTOR, "section[aria-labelledby=checkins-title] li")) == 1, "and the live check-ins")
    screenshots(driver, "liaison-event-rsvps")
    accessible(driver, "the liaison's event page with RSVPs")
finally:
    driver.quit()

# 9. Issue 17, A1: a family writes a Spanish comment with a consented email; the routing rule the
# admin added assigns it; the owner replies in the console; the loopback SMTP server receives the
# reply in Spanish; the case is answered and its response time is in the scorecard. A4: the
# initiative's public page, with a milestone, an update and the published reply, passes axe at
# 375 and 1280 px.
def mails_to(address):
    directory = os.path.join(os.environ["CHORUS_SMTP_SINK_DIR"], "mail")
    found = []
    for name in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        if name.endswith(".eml") and address in open(os.path.join(directory, name[:-4] + ".rcpt")).read():
            found.append(email.message_from_binary_file(open(os.path.join(directory, name), "rb"), policy=email.policy.default))
    return found


def wait_for(condition, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


admin_id = sql("SELECT id FROM staff_accounts WHERE email = 'admin@district.example'")
slug = "browser-built"
initiative = sql(f"SELECT id FROM initiatives WHERE slug = '{slug}'")
driver = browser("en")
try:
    driver.get(base + "/console/login")
    driver.find_element(By.ID, "email").send_keys("admin@district.example")
    driver.find_element(By.ID, "password").send_keys("a long and unrelated passphrase")
    submit(driver)
    check("/console/login" not in driver.current_url, f"the admin signs in again ({driver.current_url})")
    driver.get(base + "/console/routing")
    driver.find_element(By.ID, "r-keyword").send_keys("autobús")
    Select(driver.find_element(By.ID, "r-owner")).select_by_value(f"account-{admin_id}")
    screenshots(driver, "console-routing")
    accessible(driver, "the console's routing page")
    submit(driver, "form[action^='/console/routing?'] button")
    check(sql("SELECT count(*) FROM routing_rules WHERE keyword = 'autobús'") == "1", "the routing rule is saved")

    family = browser("es")
    try:
        family.set_window_size(375, 900)
        family.get(base + "/feedback")
        Select(family.find_element(By.ID, "initiative")).select_by_value(initiative)
        Select(family.find_element(By.ID, "group")).select_by_value("families")
        family.find_element(By.ID, "comment").send_keys("El autobús escolar llega tarde casi todos los días")
        family.find_element(By.ID, "contact-email").send_keys("marisol@example.org")
        family.find_element(By.ID, "contact-consent").click()
        family.find_element(By.ID, "follow-updates").click()
        time.sleep(3.5)
        submit(family)
        check(bool(family.find_elements(By.CSS_SELECTOR, ".receipt")), "the family's comment is received")
    finally:
        family.quit()
    case = sql("SELECT c.id FROM cases c JOIN feedback f ON c.source = 'feedback' AND f.id = c.source_id "
               "WHERE f.comment LIKE 'El autobús escolar%'")
    check(case != "", "the comment opened a case")
    check(wait_for(lambda: sql(f"SELECT owner_account_id FROM cases WHERE id = {case}") == admin_id),
          "once scored, the routing rule assigns it to the admin")

    driver.get(base + "/console/cases?mine=1")
    check(f"#{case}" in driver.page_source, "the case is in the admin's inbox")
    screenshots(driver, "console-cases")
    accessible(driver, "the console's inbox")
    driver.get(f"{base}/console/cases/{case}")
    check("marisol@example.org" not in driver.page_source, "the case page never shows the address")
    driver.find_element(By.ID, "reply-text").send_keys("Gracias. Hablamos con la empresa de autobuses y cambiamos la ruta.")
    driver.find_element(By.ID, "reply-publish").click()
    screenshots(driver, "console-case")
    accessible(driver, "a case in the console")
    submit(driver, f"form[action^='/console/cases/{case}/reply'] button")
    check(sql(f"SELECT status FROM cases WHERE id = {case}") == "answered", "the case is answered")
    check(wait_for(lambda: mails_to("marisol@example.org")), "the loopback SMTP server receives the reply")
    replies = mails_to("marisol@example.org")
    if replies:
        body = replies[0].get_body(("plain",)).get_content()
        check(replies[0]["Subject"].startswith("Respuesta a su comentario"), f"the reply's subject is Spanish ({replies[0]['Subject']})")
        check("cambiamos la ruta" in body and "Esta es nuestra respuesta" in body, "the reply's text is Spanish and carries the answer")
    request = urllib.request.Request(f"{base}/api/v1/scorecards/{initiative}", headers={"Authorization": f"Bearer {token}"})
    card = json.load(urllib.request.urlopen(request))
    slices = [s for s in card.get("responsiveness", {}).get("by_initiative", []) if s["key"] == slug]
    check(bool(slices) and slices[0]["answered"] >= 1 and slices[0]["median_hours_to_first_response"] is not None
          and slices[0]["median_hours_to_first_response"] < 1, f"the response time is in the scorecard ({slices})")

    driver.get(f"{base}/console/initiatives/{initiative}/report")
    driver.find_element(By.ID, "milestone_en").send_keys("New bus route")
    driver.find_element(By.ID, "milestone_es").send_keys("Nueva ruta de autobús")
    driver.find_element(By.ID, "milestone-percent").clear()
    driver.find_element(By.ID, "milestone-percent").send_keys("40")
    submit(driver, "form:has(input[name=do][value=milestone]) button")
    driver.find_element(By.ID, "title_en").send_keys("The bus comes on time")
    driver.find_element(By.ID, "title_es").send_keys("El autobús llega a tiempo")
    driver.find_element(By.ID, "body_en").send_keys("We changed the route after your comments.")
    driver.find_element(By.ID, "body_es").send_keys("Cambiamos la ruta después de sus comentarios.")
    driver.find_element(By.ID, f"pc-{case}").click()
    screenshots(driver, "console-report")
    accessible(driver, "the console's report page")
    submit(driver, "form:has(input[name=do][value=update]) button")
    check(sql(f"SELECT count(*) FROM initiative_updates WHERE initiative_id = {initiative}") == "1", "the update is posted")
    check(wait_for(lambda: len(mails_to("marisol@example.org")) >= 2), "the family who follows the initiative is emailed the update")
finally:
    driver.quit()

public = browser("es")
try:
    public.get(f"{base}/initiatives/{slug}")
    page = public.page_source
    check("Nueva ruta de autobús" in page and "40" in page, "the public page shows the milestone in Spanish")
    check("El autobús llega a tiempo" in page and "cambiamos la ruta" in page, "and the update with the published reply")
    check("marisol" not in page, "and no one's address")
    for width in (375, 1280):
        public.set_window_size(width, 900)
        wide = public.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(wide <= 0, f"the public initiative page does not overflow at {width} px ({wide} px)")
        accessible(public, f"the public initiative page at {width} px")
    screenshots(public, "initiative-public-es")
finally:
    public.quit()

print(f"{len(failures)} failure(s); screenshots in {artifacts}")
sys.exit(1 if failures else 0)
