// Starts Swagger UI (loaded just before, from this server) on the app's own OpenAPI schema, then mends
// the few things in its markup that keyboard and screen-reader users would trip on.
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: false,              // deep links put a link inside each operation's button
  validatorUrl: null,              // the validator badge would send the schema to another host
  syntaxHighlight: { activated: false },   // its colours on dark grey are below 4.5:1
  defaultModelsExpandDepth: 0,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});

const root = document.getElementById("swagger-ui");

function mend() {
  // The page's h1 is ours: Swagger UI's title (an h1 above its h3 sections) reads as a second level.
  const title = root.querySelector(".info .title");
  if (title && title.getAttribute("aria-level") !== "2") title.setAttribute("aria-level", "2");
  // Code samples scroll sideways: reachable from the keyboard.
  for (const pre of root.querySelectorAll(".highlight-code pre:not([tabindex])")) pre.tabIndex = 0;
  for (const select of root.querySelectorAll("select.examples-select-element:not([aria-label])")) {
    select.setAttribute("aria-label", "Example");
  }
  for (const box of root.querySelectorAll(".body-param textarea:not([aria-label])")) box.setAttribute("aria-label", "Request body");
  for (const button of root.querySelectorAll(".copy-to-clipboard > button:not([aria-label])")) {
    button.setAttribute("aria-label", "Copy to clipboard");
  }
  // Each operation's responses region, named after its operation so the landmarks differ.
  for (const region of root.querySelectorAll("table.responses-table[role='region']")) {
    const path = region.closest(".opblock")?.querySelector(".opblock-summary-path")?.dataset.path;
    const method = region.closest(".opblock")?.querySelector(".opblock-summary-method")?.textContent;
    if (path && !region.getAttribute("aria-label")) region.setAttribute("aria-label", `Responses of ${method} ${path}`);
  }
}

new MutationObserver(mend).observe(root, { childList: true, subtree: true });
