-- wrk script: POST the AdmissionReview in $BODY_FILE to /validate.
wrk.method = "POST"
wrk.path = "/validate?timeout=10s"
wrk.headers["Content-Type"] = "application/json"
local f = assert(io.open(os.getenv("BODY_FILE"), "rb"))
wrk.body = f:read("*a")
f:close()
