// Starts GOV.UK Frontend's components (the body classes its CSS keys on, set here because the
// pages allow no inline script). Every page works without it.
import { initAll } from "/assets/govuk-frontend.min.js";
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
