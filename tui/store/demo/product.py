"""The fictional product behind the demo project: Loupe Demo Notes, a note-taking SaaS.

Everything here is vocabulary and tuning: dates, places, platforms, event
names, property values and the probabilities that shape the funnels. The
generator modules read these constants and contain no numbers of their own, so
the story the demo tells can be changed in one file.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

# The demo covers 90 whole UTC days that end on a fixed date, so it is the
# same on every machine and in every year.
FIRST_DAY = date(2026, 9, 2)
LAST_DAY = date(2026, 11, 30)
DAYS = (LAST_DAY - FIRST_DAY).days + 1
DAY_MS = 86_400_000
RANGE_START_MS = int(datetime(2026, 9, 2, tzinfo=timezone.utc).timestamp() * 1000)
RANGE_END_MS = RANGE_START_MS + DAYS * DAY_MS

# Sizes: about 60 events per actor gives ~5,000 actors for the default 300,000 events.
EVENTS_PER_ACTOR = 60
ANONYMOUS_ONLY_SHARE = 0.10  # visitors who never sign up
EXISTING_SHARE = 0.30  # of identified users: signed up before the range starts
USERS_PER_BLOCK = 4096  # actors generated together; fixed, so the rows never depend on the machine

# (country, city, IANA time zone, share of users)
LOCATIONS = (
    ("United States", "New York", "America/New_York", 0.12),
    ("United States", "Boston", "America/New_York", 0.04),
    ("United States", "Chicago", "America/Chicago", 0.05),
    ("United States", "Austin", "America/Chicago", 0.03),
    ("United States", "San Francisco", "America/Los_Angeles", 0.07),
    ("United States", "Seattle", "America/Los_Angeles", 0.03),
    ("Canada", "Toronto", "America/Toronto", 0.04),
    ("Brazil", "São Paulo", "America/Sao_Paulo", 0.05),
    ("United Kingdom", "London", "Europe/London", 0.08),
    ("Germany", "Berlin", "Europe/Berlin", 0.06),
    ("Germany", "Munich", "Europe/Berlin", 0.03),
    ("France", "Paris", "Europe/Paris", 0.05),
    ("Netherlands", "Amsterdam", "Europe/Amsterdam", 0.03),
    ("Spain", "Madrid", "Europe/Madrid", 0.03),
    ("India", "Bengaluru", "Asia/Kolkata", 0.08),
    ("India", "Mumbai", "Asia/Kolkata", 0.03),
    ("Japan", "Tokyo", "Asia/Tokyo", 0.04),
    ("Australia", "Sydney", "Australia/Sydney", 0.04),
)

PLATFORMS = ("Web", "iOS", "Android")
PLATFORM_SHARES = (0.5, 0.3, 0.2)
WEB = 0
WEB_OS = ("Windows", "macOS", "Linux")
WEB_OS_SHARES = (0.5, 0.4, 0.1)
SECOND_DEVICE_SHARE = 0.25  # identified users who also use a device of another platform
SECOND_DEVICE_SESSION_SHARE = 0.3  # of such a user's sessions

# Share of sessions starting in each local hour, and weight of each weekday (Monday first).
HOUR_WEIGHTS = (
    0.8, 0.4, 0.25, 0.2, 0.2, 0.35, 0.8, 1.8, 3.5, 5.5, 6.5, 6.5,
    5.5, 6.0, 6.5, 6.2, 5.5, 4.5, 3.5, 3.2, 3.2, 2.8, 2.0, 1.3,
)
WEEKDAY_WEIGHTS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.45, 0.4)

# Sign-ups grow over the range; an email campaign doubles them for two days.
SIGNUP_GROWTH = 0.6  # the last day has this much more than the first
CAMPAIGN_DAY = 61  # 2026-11-02, a Monday
CAMPAIGN_BOOST = (2.5, 1.6)  # on that day and the next

# App versions: (version, day it ships, UTC hour it ships). The first predates the range.
VERSIONS = (
    ("1.8.0", -40, 16),
    ("1.9.0", 13, 16),
    ("2.0.0", 41, 16),
    ("2.0.1", 50, 16),
)
NEW_ONBOARDING_VERSION = 2  # index in VERSIONS: 2.0.0 adds project templates
MOBILE_UPDATE_DELAY_DAYS = (0.5, 2.5)  # app store review, then a user's mean wait to update

# Releases and the annotation written into the demo project, so charts have markers.
RELEASES = (
    ("1.9.0", "Faster search", "Search results appear as you type and rank recent notes first."),
    ("2.0.0", "Project templates", "New projects can start from a roadmap, meeting or research template."),
    ("2.0.1", "Sync fixes", "Fixes notes that failed to sync after editing offline."),
)
ANNOTATION = ("Email campaign", "Autumn newsletter sent to 40,000 subscribers.")

# Onboarding funnel: Sign Up -> Complete Profile -> Create Project -> Invite Teammate.
ONBOARDING_STEPS = ("Sign Up", "Complete Profile", "Create Project", "Invite Teammate")
P_COMPLETE_PROFILE = 0.74
P_CREATE_PROJECT = (0.42, 0.71)  # before and after the 2.0.0 templates
P_INVITE_TEAMMATE = 0.37
P_DEFER_STEP = 0.15  # a step (and those after it) happens in a later session
DEFER_HOURS_MEDIAN = 18.0
P_REPEAT_PROFILE = 0.06  # Complete Profile sent twice
# After the steps done in the sign-up session, some new users look around before they leave,
# more often when the session would otherwise end at Sign Up (they drop off or put the profile off).
P_LOOK_AROUND = (0.35, 0.6)  # when the session goes on to Complete Profile, and when it stops at Sign Up
LOOK_AROUND_MORE_P = 0.5  # geometric: mean 2 events
LOOK_AROUND_MAX_EVENTS = 4
LOOK_AROUND_EVENTS = (("View Note", "Create Note", "Edit Note", "Search", "Add Tag"), (0.35, 0.3, 0.15, 0.12, 0.08))
PRE_SIGNUP_VISITS = (0.4, 0.4, 0.2)  # chance of 0, 1 or 2 anonymous visits before signing up
ANONYMOUS_ONLY_VISITS = (0.5, 0.3, 0.2)  # chance of 1, 2 or 3 visits by a visitor who never signs up
VISIT_MAX_PAGE_VIEWS = 3  # a visit views 1 to 3 pages, equally likely
P_VISIT_PRICING = 0.3  # and then looks at pricing
PRE_SIGNUP_VISIT_DAYS = 7  # how long before signing up (or after a first visit) visits happen

# Purchase flow: View Pricing -> Start Checkout -> Purchase, with Payment Failed sent by the server.
P_VIEW_PRICING = 0.35  # free users who look at pricing in the range
P_CHECKOUT = 0.45
P_REPEAT_CHECKOUT = 0.12
P_PAYMENT_FAILED = 0.22
P_RETRY_AFTER_FAILURE = 0.5
P_ABANDON_CHECKOUT = 0.12
PAID_PLANS = ("pro", "team")
PAID_PLAN_SHARES = (0.8, 0.2)
BILLING = ("monthly", "annual")
BILLING_SHARES = (0.7, 0.3)
PRICES = {("pro", "monthly"): 10.0, ("pro", "annual"): 96.0, ("team", "monthly"): 24.0, ("team", "annual"): 240.0}
PLANS = ("free", "pro", "team")
EXISTING_PLAN_SHARES = (0.8, 0.15, 0.05)

# Everyday use: each session opens the app, then does a few of these.
EVERYDAY_EVENTS = ("View Note", "Edit Note", "Create Note", "Search", "Add Tag", "Share Note", "Export Note", "Create Project")
EVERYDAY_SHARES = (0.35, 0.22, 0.14, 0.12, 0.06, 0.05, 0.03, 0.03)
SESSION_MORE_EVENTS_P = 0.25  # geometric: mean 4 events after App Open
SESSION_MAX_EVENTS = 30
ACTIVE_DAYS_MEAN = 45.0  # churning users stay this long on average
P_LOYAL = 0.35  # users who stay to the end of the range
ENGAGEMENT_SIGMA = 1.0  # spread of session rates between users (log-normal)
MAX_ENGAGEMENT = 12.0

# Seconds between events in a session: log-normal, with some events at the same time.
GAP_MEDIAN_SECONDS = 35.0
GAP_MAX_SECONDS = 300.0
P_SAME_TIMESTAMP = 0.04
SESSION_SPACING_MINUTES = 35  # quiet time between sessions, above the 30-minute session gap

# Dirt found in real exports.
P_FAKE_USER_ID = 0.0015  # user_id sent as "null" or "" by a buggy client
FAKE_USER_IDS = ("null", "")
P_RETRIED_EVENT = 0.0005  # sent twice with the same insert_id

ROLES = ("engineer", "designer", "product manager", "writer", "student", "founder")
ACCOUNT_SIZE_P = 0.35  # geometric: mean ~2.9 users per account
ACCOUNT_WORDS = (
    "Acme", "Bluefin", "Copperleaf", "Driftwood", "Elmstead", "Foxglove", "Granite", "Harbor",
    "Ironwood", "Juniper", "Kestrel", "Lumen", "Maple", "Nimbus", "Northwind", "Orchard",
    "Pinecrest", "Quarry", "Riverbend", "Saffron", "Tidewater", "Upland", "Vireo", "Willow",
    "Yarrow", "Zephyr",
)

EVENT_TYPES = (
    "Page View", "View Pricing", "Sign Up", "Complete Profile", "Create Project", "Invite Teammate",
    "App Open", "Start Checkout", "Payment Failed", "Purchase",
    "View Note", "Edit Note", "Create Note", "Search", "Add Tag", "Share Note", "Export Note",
)
EVENT_CODES = {name: code for code, name in enumerate(EVENT_TYPES)}
SERVER_EVENTS = ("Payment Failed",)  # sent by the billing server: no device, no session

# Property vocabularies: (values, shares).
PAGES = (("/", "/features", "/pricing", "/templates", "/blog/second-brain", "/blog/meeting-notes"), (0.35, 0.2, 0.15, 0.1, 0.1, 0.1))
REFERRERS = (("google", "direct", "newsletter", "twitter", "reddit"), (0.4, 0.3, 0.1, 0.1, 0.1))
SIGNUP_METHODS = (("email", "google", "apple"), (0.45, 0.4, 0.15))
APP_OPEN_SOURCES = (("direct", "notification", "link"), (0.7, 0.2, 0.1))
NOTE_SOURCES = (("sidebar", "search", "link", "recent"), (0.4, 0.25, 0.15, 0.2))
TAGS = (("work", "ideas", "todo", "reading", "personal", "meeting"), (0.25, 0.2, 0.2, 0.1, 0.15, 0.1))
SHARE_CHANNELS = (("link", "email", "slack"), (0.5, 0.3, 0.2))
EXPORT_FORMATS = (("pdf", "markdown", "html"), (0.5, 0.4, 0.1))
PRICING_SOURCES = (("nav", "limit_reached", "email", "settings"), (0.45, 0.3, 0.1, 0.15))
FAILURE_REASONS = (("card_declined", "insufficient_funds", "expired_card"), (0.6, 0.25, 0.15))
PROJECT_TEMPLATES = (("roadmap", "meeting notes", "research", "blank"), (0.35, 0.3, 0.15, 0.2))
