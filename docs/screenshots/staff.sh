#!/usr/bin/env bash
# Regenerates the screenshots of the staff web app (/app) in docs/screenshots/staff-*.png:
# the story test in crates/banli/tests/it/browser_staff.rs drives headless Chromium through
# one proposal from draft to 已办结 and, with BANLI_SCREENSHOTS set, saves a 1366×768 view of
# each role's main page on the way (Simplified Chinese; one page in English).
#
# Needs /usr/bin/chromium, /usr/bin/chromedriver (apt-get install chromium chromium-driver)
# and a Chinese font (apt-get install fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/../.."
BANLI_SCREENSHOTS=docs/screenshots CI="${CI:-true}" \
  cargo test -p banli --test it browser_staff::one_item_from_draft_to_closed_sqlite -- --exact --nocapture
ls -l docs/screenshots/staff-*.png
