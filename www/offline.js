// Registers the service worker (sw.js), which keeps the page usable offline
// after the first load, and offers a reload when a new version is waiting.
// A waiting worker takes over only when the user presses #reload, because
// reloading clears the files and settings on the page.

import { registerServiceWorker } from './trusted-types.js';

/**
 * Starts offline support; `showNote(text)` reports whether it is available.
 * Returns a promise of whether this browser has stored Quire, which
 * resolves once it has or could not.
 */
export function startOfflineSupport(showNote) {
  if (!('serviceWorker' in navigator)) {
    showNote('This browser cannot keep Quire for offline use; it works while you are online.');
    return Promise.resolve(false);
  }

  const banner = document.getElementById('update-banner');
  const reloadButton = document.getElementById('reload');
  let waitingWorker = null;
  let reloadRequested = false;

  const offerUpdate = (worker) => {
    waitingWorker = worker;
    banner.hidden = false;
  };

  reloadButton.addEventListener('click', () => {
    reloadRequested = true;
    // Another tab may have activated the new worker already.
    if (waitingWorker?.state === 'installed') {
      waitingWorker.postMessage({ type: 'skip-waiting' });
    } else {
      location.reload();
    }
  });
  // A reload in another tab also activates the new worker and fires
  // controllerchange here, so reload only when this page's user asked.
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloadRequested) {
      location.reload();
    }
  });

  const stored = registerServiceWorker()
    .then((registration) => {
      // Without a controller this is the first install: nothing is outdated.
      if (registration.waiting && navigator.serviceWorker.controller) {
        offerUpdate(registration.waiting);
      }
      registration.addEventListener('updatefound', () => {
        const installing = registration.installing;
        installing?.addEventListener('statechange', () => {
          if (installing.state === 'installed' && navigator.serviceWorker.controller) {
            offerUpdate(installing);
          }
        });
      });
      return navigator.serviceWorker.ready;
    });
  return stored.then(
    () => {
      showNote('Quire is stored in this browser and works offline.');
      return true;
    },
    (error) => {
      showNote(`Quire could not be stored for offline use (${error.name}: ${error.message}); it works while you are online.`);
      return false;
    },
  );
}
