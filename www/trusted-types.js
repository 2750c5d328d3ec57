// The page's one Trusted Types policy, named `quire` as the
// Content-Security-Policy requires (`trusted-types quire`).
//
// The policy object stays private to this module, so the three functions
// below are the page's only ways to reach a sink. They create the script
// URLs of the engine's worker and of the service worker, and parse a
// chapter's XHTML for the preview. Everything else on the page builds DOM with createElement and
// textContent.

const SCRIPT_URLS = new Set(['./worker.js', './sw.js']);

const policy = createPolicy();

function createPolicy() {
  const rules = {
    createScriptURL(url) {
      if (!SCRIPT_URLS.has(url)) {
        throw new TypeError(`script URL ${url} is not one of the page's own scripts`);
      }
      return url;
    },
    // The engine writes the XHTML and has already removed scripts, event
    // handler attributes and javascript: URLs. The preview parses it as
    // inert XML and leaves them out again when it copies the nodes into
    // this page.
    createHTML(markup) {
      return markup;
    },
  };

  // Browsers without Trusted Types take plain strings at every sink.
  if (globalThis.trustedTypes?.createPolicy) {
    return globalThis.trustedTypes.createPolicy('quire', rules);
  }
  return rules;
}

/** Starts the engine's module worker. */
export function createEngineWorker(options) {
  return new Worker(policy.createScriptURL('./worker.js'), options);
}

/** Registers the service worker that keeps the page available offline. */
export function registerServiceWorker() {
  return navigator.serviceWorker.register(policy.createScriptURL('./sw.js'), {
    type: 'module',
    scope: './',
  });
}

/** Parses an XML document, such as a chapter's XHTML body wrapped in a root element. */
export function parseXml(markup) {
  const parser = new DOMParser();
  return parser.parseFromString(policy.createHTML(markup), 'application/xml');
}
