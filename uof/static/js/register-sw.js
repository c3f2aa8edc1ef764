/* Installs the app shell's service worker, which lets the recording form open with no signal. Without
   service workers (an old browser, some private modes) the site still works online, so a failure is logged
   and nothing else.

   It also keeps a shared phone's notifications with whoever is using it: the server sends a device's alerts to
   the user it was last registered for, so when someone else logs in on a browser that has a push subscription,
   the subscription is registered again, for them (the server moves the device), before anything says alerts
   are on. Who it was last registered for is remembered in localStorage ("uof-push-user"). alerts.js uses the
   same functions through window.uofPushDevice. */
(function () {
  "use strict";

  var OWNER_KEY = "uof-push-user";
  var SUBSCRIPTIONS_URL = "/api/v1/push/subscriptions";

  // localStorage throws in some private modes and when storage is switched off: then nothing is remembered,
  // and the device is registered again on each page (which the server takes as a no-op).
  function stored(use) {
    try {
      return use(window.localStorage);
    } catch (error) {
      return null;
    }
  }

  function owner() {
    return stored(function (storage) { return storage.getItem(OWNER_KEY); });
  }

  function remember(userId) {
    if (userId) {
      stored(function (storage) { storage.setItem(OWNER_KEY, String(userId)); });
    }
  }

  function forget() {
    stored(function (storage) { storage.removeItem(OWNER_KEY); });
  }

  // The logged-in user's id, or null (logged out, or a page that does not say who is logged in).
  function currentUser() {
    var body = document.body;
    if (!body || body.getAttribute("data-session") !== "user") {
      return null;
    }
    return body.getAttribute("data-user-id") || null;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  var claiming = null;

  /* Make sure this browser's subscription is registered for the logged-in user: at once if it last was,
     otherwise by posting it to the server again. Resolves true when it is theirs, false when it could not be
     made so (nobody logged in, offline, push switched off on the server); never rejects. */
  function claim(subscription) {
    var user = currentUser();
    if (!user || !subscription) {
      return Promise.resolve(false);
    }
    if (owner() === user) {
      return Promise.resolve(true);
    }
    if (!claiming) {
      claiming = Promise.resolve()
        .then(function () {
          return fetch(SUBSCRIPTIONS_URL, {
            method: "POST",
            credentials: "same-origin",
            headers: {"Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken()},
            body: JSON.stringify(subscription.toJSON())
          });
        })
        .then(function (response) {
          if (response.ok) {
            remember(user);
            return true;
          }
          return false;
        })
        .catch(function () { return false; })
        .then(function (mine) {
          claiming = null;
          return mine;
        });
    }
    return claiming;
  }

  window.uofPushDevice = {claim: claim, remember: remember, forget: forget, currentUser: currentUser};

  if (!("serviceWorker" in navigator)) {
    return;
  }

  function claimThisDevice() {
    if (!("PushManager" in window) || !currentUser()) {
      return;
    }
    Promise.resolve()
      // getRegistration, not ready: ready never settles where no worker was ever registered.
      .then(function () { return navigator.serviceWorker.getRegistration("/"); })
      .then(function (found) { return found && found.pushManager ? found.pushManager.getSubscription() : null; })
      .then(function (subscription) { return subscription ? claim(subscription) : false; })
      .catch(function (error) {
        console.warn("uof: could not check this device's notifications", error);
      });
  }

  function register() {
    navigator.serviceWorker.register("/sw.js", {scope: "/"}).catch(function (error) {
      console.warn("uof: the service worker could not be registered", error);
    });
    claimThisDevice();
  }

  // After the page has loaded, so that caching the shell does not compete with the page the officer opened.
  if (document.readyState === "complete") {
    register();
  } else {
    window.addEventListener("load", register);
  }
})();
