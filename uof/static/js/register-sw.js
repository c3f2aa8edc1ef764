/* Installs the app shell's service worker, which lets the recording form open with no signal. Without
   service workers (an old browser, some private modes) the site still works online, so a failure is logged
   and nothing else. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) {
    return;
  }

  function register() {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function (error) {
      console.warn("uof: the service worker could not be registered", error);
    });
  }

  // After the page has loaded, so that caching the shell does not compete with the page the officer opened.
  if (document.readyState === "complete") {
    register();
  } else {
    window.addEventListener("load", register);
  }
})();
