#!/usr/bin/env bash
# Rebuilds the vendored design system in ../static/assets from the pinned npm packages:
# GOV.UK Frontend and MoJ Frontend (both MIT). Run it after changing package.json or
# govuk.scss, and commit what it writes; `cargo build` needs no Node (the files are compiled in).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
out=../static/assets
rm -rf "$out"
mkdir -p "$out/images" "$out/licences"
npx sass --load-path=. --quiet --style=compressed --no-source-map govuk.scss "$out/govuk-frontend.css"
# MoJ Frontend's own build is used as published, with GDS Transport replaced by the same neutral
# stack (its Sass forwards GOV.UK's settings with a fixed configuration, so it cannot be set there).
neutral='system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif'
sed "s/GDS Transport,arial,sans-serif/${neutral}/g" \
  node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.css \
  | sed 's#/\*\# sourceMappingURL=[^*]*\*/##' > "$out/moj-frontend.css"
if grep -q "GDS Transport" "$out/govuk-frontend.css" "$out/moj-frontend.css"; then
  echo "GDS Transport is still named in the compiled CSS" >&2
  exit 1
fi
# The JavaScript is an ES module; static/assets/init.mjs (ours) starts it.
sed 's#//\# sourceMappingURL=.*##' node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js > "$out/govuk-frontend.min.js"
# No GOV.UK favicon or crest: they are the crown.
for icon in icon-progress-tick.svg icon-document.svg icon-close-cross-black.svg icon-toggle-plus-minus.svg; do
  cp "node_modules/@ministryofjustice/frontend/moj/assets/images/$icon" "$out/images/"
done
cp licences/*.txt "$out/licences/"
cat > "$out/init.mjs" <<'JS'
// Starts GOV.UK Frontend's components (the body classes its CSS keys on, set here because the
// pages allow no inline script). Every page works without it.
import { initAll } from "/assets/govuk-frontend.min.js";
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
// Long work (a plan, a proposal, a what-if): say so while the page waits for the answer.
for (const form of document.querySelectorAll("form[data-long-running]")) {
  form.addEventListener("submit", () => {
    const status = form.querySelector(".app-progress");
    if (status) status.hidden = false;
    for (const button of form.querySelectorAll("button")) button.setAttribute("aria-disabled", "true");
  });
}
JS
# The published examples of each component the templates use: tests/govuk_components.rs renders
# our partials with them and compares.
fixtures=../tests/fixtures/govuk-components
rm -rf "$fixtures"
mkdir -p "$fixtures"
for c in $(cat components.txt); do
  cp "node_modules/govuk-frontend/dist/govuk/components/$c/fixtures.json" "$fixtures/$c.json"
done
echo "written to static/assets and tests/fixtures/govuk-components"
