/* "Enable alerts on this device" on the alert inbox: Web Push where the browser can do it, and a plain account
   of why not where it cannot. Push is best effort; the inbox holds every alert with or without this script. */
(function () {
  "use strict";

  // Browsers without a reachable push service (headless ones, some without Google services) never settle
  // subscribe(): without a limit the button would spin for ever.
  var SUBSCRIBE_TIMEOUT_MS = 15000;
  var WORKER_TIMEOUT_MS = 10000;
  var KEY_URL = "/api/v1/push/key";
  var SUBSCRIPTIONS_URL = "/api/v1/push/subscriptions";
  var TEST_URL = "/api/v1/push/test";
  var INBOX_ONLY = " Alerts still appear in this inbox.";

  var section = document.querySelector("[data-device-alerts]");
  if (!section) {
    return;
  }
  var status = section.querySelector("[data-push-status]");
  var enableButton = section.querySelector("[data-push-enable]");
  var testButton = section.querySelector("[data-push-test]");
  var disableButton = section.querySelector("[data-push-disable]");

  function say(text, state) {
    status.textContent = text;
    section.setAttribute("data-push-state", state);
  }

  function show(enable, test, disable) {
    enableButton.hidden = !enable;
    testButton.hidden = !test;
    disableButton.hidden = !disable;
  }

  function busy(on) {
    [enableButton, testButton, disableButton].forEach(function (button) { button.disabled = on; });
    section.setAttribute("aria-busy", on ? "true" : "false");
  }

  function isAppleMobile() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function isInstalled() {
    return window.matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
  }

  function supported() {
    return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  }

  function Failure(state, message) {
    this.state = state;
    this.message = message;
  }

  function withTimeout(promise, milliseconds, failure) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(failure); }, milliseconds);
      promise.then(
        function (value) { clearTimeout(timer); resolve(value); },
        function (error) { clearTimeout(timer); reject(error); }
      );
    });
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function serverFailure(status, body) {
    if (status === 401) {
      return new Failure("failed", "Your session has ended. Log in again, then enable alerts.");
    }
    if (status === 400 && body.error === "csrf") {
      return new Failure("failed", "This page has expired. Reload it and try again.");
    }
    var fields = body.fields ? Object.keys(body.fields).map(function (name) { return body.fields[name].join(" "); }) : [];
    var reason = (fields.join(" ") || body.message || "the server answered " + status).replace(/\.+$/, "");
    return new Failure("failed", "The server refused this: " + reason + "." + INBOX_ONLY);
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {"Accept": "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken()},
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw serverFailure(response.status, data);
        }
        return data;
      });
    }, function () {
      throw new Failure("failed", "The server could not be reached. Check your signal and try again.");
    });
  }

  function registration() {
    var ready = navigator.serviceWorker.register("/sw.js", {scope: "/"})
      .then(function () { return navigator.serviceWorker.ready; });
    return withTimeout(ready, WORKER_TIMEOUT_MS, new Failure(
      "failed", "The app's service worker did not start, so this browser cannot show notifications." + INBOX_ONLY));
  }

  function keyBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function madeWithKey(subscription, key) {
    var used = subscription.options && subscription.options.applicationServerKey;
    if (!used) {
      return false;
    }
    var bytes = new Uint8Array(used);
    return bytes.length === key.length && bytes.every(function (value, index) { return value === key[index]; });
  }

  // A subscription made with another key (the server's key was replaced) cannot receive our pushes.
  function subscribe(pushManager, key) {
    return pushManager.getSubscription().then(function (existing) {
      if (existing && madeWithKey(existing, key)) {
        return existing;
      }
      var cleared = existing ? existing.unsubscribe() : Promise.resolve();
      return cleared.then(function () {
        var made = pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key});
        return withTimeout(made, SUBSCRIBE_TIMEOUT_MS, new Failure("timed-out",
          "This browser did not finish setting up notifications within " + SUBSCRIBE_TIMEOUT_MS / 1000 +
          " seconds, so they are unavailable here (some browsers cannot reach a push service)." + INBOX_ONLY));
      });
    });
  }

  function askPermission() {
    // Older Safari takes a callback and returns nothing; newer browsers return a promise.
    return new Promise(function (resolve) {
      var asked = Notification.requestPermission(resolve);
      if (asked && typeof asked.then === "function") {
        asked.then(resolve);
      }
    });
  }

  function showEnabled(message) {
    say(message || "Alerts are on for this device.", "enabled");
    show(false, true, true);
  }

  function showOff(message) {
    say(message || "Alerts are not turned on for this device.", "off");
    show(true, false, false);
  }

  function showBlocked() {
    say("Notifications are blocked for this site. Allow them in your browser's site settings, then reload this " +
        "page." + INBOX_ONLY, "blocked");
    show(false, false, false);
  }

  function showFailure(error) {
    if (error instanceof Failure) {
      say(error.message, error.state);
    } else {
      var reason = (error && error.message ? error.message : String(error)).replace(/\.+$/, "");
      say("Alerts could not be turned on: " + reason + "." + INBOX_ONLY, "failed");
    }
    show(true, false, false);
  }

  function enable() {
    busy(true);
    say("Enabling alerts on this device…", "enabling");
    // Asked straight away, inside the tap: browsers only show the question in answer to a user's gesture.
    askPermission()
      .then(function (permission) {
        if (permission === "denied") {
          throw new Failure("blocked", "");
        }
        if (permission !== "granted") {
          throw new Failure("off", "You did not allow notifications, so alerts are off for this device.");
        }
        return Promise.all([registration(), api("GET", KEY_URL)]);
      })
      .then(function (results) {
        return subscribe(results[0].pushManager, keyBytes(results[1].public_key));
      })
      .then(function (subscription) { return api("POST", SUBSCRIPTIONS_URL, subscription.toJSON()); })
      .then(function () { showEnabled(); })
      .catch(function (error) {
        if (error instanceof Failure && error.state === "blocked") {
          showBlocked();
        } else if (error instanceof Failure && error.state === "off") {
          showOff(error.message);
        } else {
          showFailure(error);
        }
      })
      .then(function () { busy(false); });
  }

  function disable() {
    busy(true);
    say("Turning alerts off on this device…", "disabling");
    registration()
      .then(function (found) { return found.pushManager.getSubscription(); })
      .then(function (subscription) {
        if (!subscription) {
          return undefined;
        }
        return api("DELETE", SUBSCRIPTIONS_URL, {endpoint: subscription.endpoint})
          .then(function () { return subscription.unsubscribe(); });
      })
      .then(function () { showOff("Alerts are off for this device."); })
      .catch(function (error) {
        say(error instanceof Failure ? error.message : "Alerts could not be turned off. Try again.", "enabled");
        show(false, true, true);
      })
      .then(function () { busy(false); });
  }

  function sendTest() {
    busy(true);
    say("Sending a test notification…", "testing");
    api("POST", TEST_URL)
      .then(function (answer) {
        var devices = answer.devices === 1 ? "1 device" : answer.devices + " devices";
        showEnabled("Test sent to " + devices + ". It should arrive within a minute; reload this page to see it " +
                    "in your inbox.");
      })
      .catch(function (error) {
        showEnabled(error instanceof Failure ? error.message : "The test could not be sent. Try again.");
      })
      .then(function () { busy(false); });
  }

  function start() {
    section.hidden = false;
    if (!supported()) {
      show(false, false, false);
      if (isAppleMobile() && !isInstalled()) {
        say("On iPhone and iPad, alerts need this app on your Home Screen: tap Share, then Add to Home Screen, " +
            "open it from there and come back to this page." + INBOX_ONLY, "unsupported");
      } else {
        say("This browser cannot show notifications from this site." + INBOX_ONLY, "unsupported");
      }
      return;
    }
    enableButton.addEventListener("click", enable);
    disableButton.addEventListener("click", disable);
    testButton.addEventListener("click", sendTest);
    if (Notification.permission === "denied") {
      showBlocked();
      return;
    }
    // getRegistration, not ready: ready never settles where no worker was ever registered.
    navigator.serviceWorker.getRegistration("/")
      .then(function (found) { return found ? found.pushManager.getSubscription() : null; })
      .then(function (subscription) {
        if (subscription && Notification.permission === "granted") {
          showEnabled();
        } else {
          showOff();
        }
      }, function () { showOff(); });
  }

  start();
})();
