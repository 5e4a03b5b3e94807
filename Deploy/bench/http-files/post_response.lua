-- wrk: POST one survey response (a likert answer and a comment) per request.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"group":"families","school_id":7,"language":"en","answers":[{"question_id":1,"number":4},{"question_id":4,"text":"The wifi at home is too slow for homework."}]}'
