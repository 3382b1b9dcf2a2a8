"""Asset group names and other names the UI shows, in one place."""

INGESTION = "ingestion"
STAGING = "staging"
INTERMEDIATE = "intermediate"
MARTS = "marts"
PUBLISHING = "publishing"
REPORTS = "reports"
CLD_RETURN = "cld_return"  # the CLD return asset group: on demand only, never in the build jobs

RAW_SCHEMA = "raw"
PUBLISHED_ASSET = ("published", "vitalsigns")  # the analysts' database asset key
ALL_ASSETS_JOB = "vitalsigns_all"
REPORTS_JOB = "vitalsigns_reports"
REPORT_MONTHS = "report_month"  # the dynamic partition set of reporting months
COMMENTARY_ASSET = ("landing", "commentary")
OWNER = "team:performance-and-intelligence"
