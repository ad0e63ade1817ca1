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
