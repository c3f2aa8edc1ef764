/* The device form (/record/device): the server's form, every section on one page, that works with no signal.
   - The answers are kept in IndexedDB as the officer types (a draft with its client_id, made on first input),
     so they survive a reload, a closed tab and a browser restart.
   - The tactics offered and their tags follow the cached policy of GET /api/v1/form, which may be newer than
     the cached page.
   - Checking uses rules.js, the port of the server's rules, and shows errors as the server-rendered pages do:
     a summary at the top and each message beside its field.
   - Check your answers is built here from the page's own labels; Submit puts the report in the outbox
     (outbox.js) and asks it to send. A report the server refused (needs attention) is corrected here too. */
(function () {
  "use strict";
  var root = document.querySelector("[data-device]");
  if (!root || !self.UofOutbox || !self.UofRules) { return; }
  var O = self.UofOutbox;
  var form = root.querySelector("[data-device-form]");
  var checkPanel = root.querySelector("[data-device-check]");
  var donePanel = root.querySelector("[data-device-done]");
  var errorSlot = root.querySelector("[data-device-errors]");
  var noticeSlot = root.querySelector("[data-device-notice]");
  var tacticBoxes = Array.prototype.slice.call(form.querySelectorAll("input[name=tactics]"));
  var SAVE_DELAY = 400;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var TIME = /^(\d{1,2})[:.]?(\d{2})$/;
  var TAG = "Not required by force policy";
  // Error path (or a parent of it) -> the field that the message is shown beside: the forms' ERROR_FIELDS.
  var FIELD_FOR = {
    incident_at: "incident_day", incident_reference: "incident_reference", area: "area", locations: "locations",
    single_crewed: "single_crewed", subject: "age_band", "subject.age_band": "age_band", "subject.gender": "gender",
    "subject.ethnicity": "ethnicity", "subject.health_condition": "health_condition", conduct: "conduct",
    tactics: "tactics", ced_trained: "ced_trained", ced_carried: "ced_carried", reasons: "reasons",
    impact_factors: "impact_factors", officer_injury: "officer_injured", "officer_injury.injured": "officer_injured",
    "officer_injury.intentional_assault": "officer_assaulted", "officer_injury.level": "officer_injury_level",
    subject_injury: "person_injured", "subject_injury.injured": "person_injured",
    "subject_injury.level": "person_injury_level", "subject_injury.medical_assistance": "medical_assistance",
    outcomes: "outcomes", bwv: "bwv_worn", "bwv.worn": "bwv_worn", "bwv.recording": "bwv_recording",
    "bwv.reference": "bwv_reference", "bwv.viewed_before_account": "bwv_viewed", narrative: "narrative"
  };
  var YES_NO = {
    single_crewed: "single_crewed", ced_trained: "ced_trained", ced_carried: "ced_carried"
  };
  var state = {config: null, user: null, session: "unknown", record: null, kind: null, timer: null};

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (content !== undefined && content !== null) { node.textContent = content; }
    return node;
  }

  // --- UK local time, as uof/record/times.py reads it ------------------------------------------------------------

  var LONDON = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/London", year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
    minute: "numeric", second: "numeric", hourCycle: "h23"
  });

  function utcMs(year, month, day, hour, minute) {
    var date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, 0, 0);
    return date.getTime();
  }

  function londonParts(ms) {
    var parts = {};
    LONDON.formatToParts(new Date(ms)).forEach(function (part) { parts[part.type] = Number(part.value); });
    return parts;
  }

  function londonOffset(ms) {
    var p = londonParts(ms);
    return Math.round((utcMs(p.year, p.month, p.day, p.hour, p.minute) - ms + p.second * 1000) / 60000);
  }

  function two(number) {
    return String(number).padStart(2, "0");
  }

  // The UTC instant of a typed UK date and time, or an Error with the server's message for the officer.
  function toUtc(typed) {
    var time = TIME.exec(typed.time.trim());
    if (!(/^\d+$/.test(typed.day) && /^\d+$/.test(typed.month) && /^\d{4}$/.test(typed.year))) {
      throw new Error("Enter a real date, for example 26 11 2026.");
    }
    if (!time) { throw new Error("Enter the time on the 24-hour clock, for example 22:40."); }
    var y = Number(typed.year), m = Number(typed.month), d = Number(typed.day);
    var h = Number(time[1]), mi = Number(time[2]);
    var days = [31, (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1] || h > 23 || mi > 59) {
      throw new Error("Enter a real date and time, for example 26 11 2026 and 22:40.");
    }
    var wall = utcMs(y, m, d, h, mi);
    // Around a clock change the offset differs either side; an hour repeated in October is taken as its first
    // occurrence (British Summer Time), and an hour skipped in March did not happen.
    var before = londonOffset(wall - 6 * 3600000);
    var after = londonOffset(wall + 6 * 3600000);
    var offsets = before === after ? [before] : [before, after];
    for (var i = 0; i < offsets.length; i += 1) {
      var utc = wall - offsets[i] * 60000;
      if (londonOffset(utc) === offsets[i]) {
        return new Date(utc).toISOString().slice(0, 19) + "Z";
      }
    }
    throw new Error("There was no " + two(h) + ":" + two(mi) + " on " + d + " " + MONTHS[m - 1] + " " + typed.year +
                    " in the UK: the clocks went forward an hour. Check the time.");
  }

  // --- the form's fields <-> the report content (the forms' save() and initial()) -----------------------------

  function readFields() {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) { return; }
      if (input.type === "checkbox") {
        fields[input.name] = fields[input.name] || [];
        if (input.checked) { fields[input.name].push(input.value); }
      } else if (input.type === "radio") {
        if (input.checked) { fields[input.name] = input.value; }
        else if (!(input.name in fields)) { fields[input.name] = null; }
      } else {
        fields[input.name] = input.value;
      }
    });
    return fields;
  }

  function fillFields(fields) {
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name) { return; }
      var value = fields[input.name];
      if (input.type === "checkbox") {
        input.checked = Array.isArray(value) && value.indexOf(input.value) >= 0;
      } else if (input.type === "radio") {
        input.checked = value === input.value;
      } else if (input.tagName === "SELECT" && value && !Array.prototype.some.call(input.options, function (o) {
        return o.value === value;
      })) {
        // An area no longer offered stays selectable, so that nothing typed is lost; the rules say it is unknown.
        input.appendChild(new Option(value, value));
        input.value = value;
      } else {
        input.value = typeof value === "string" ? value : "";
      }
    });
  }

  function yesNo(value) {
    return value === "yes" ? true : value === "no" ? false : null;
  }

  function answer(value) {
    return value === true ? "yes" : value === false ? "no" : null;
  }

  function list(value) {
    return Array.isArray(value) ? value.filter(function (v) { return typeof v === "string"; }) : [];
  }

  function buildContent(fields, clientId) {
    var typed = {day: (fields.incident_day || "").trim(), month: (fields.incident_month || "").trim(),
                 year: (fields.incident_year || "").trim(), time: (fields.incident_time || "").trim()};
    var incidentAt = null;
    var typing = null;
    if (typed.day || typed.month || typed.year || typed.time) {
      try { incidentAt = toUtc(typed); } catch (error) { typing = error.message; }
    }
    var content = {
      client_id: clientId,
      incident_at: incidentAt,
      incident_reference: fields.incident_reference || "",
      area: fields.area || null,
      locations: list(fields.locations),
      single_crewed: yesNo(fields.single_crewed),
      subject: {age_band: fields.age_band || null, gender: fields.gender || null,
                ethnicity: fields.ethnicity || null, health_condition: fields.health_condition || null},
      conduct: fields.conduct || null,
      tactics: list(fields.tactics).map(function (code) {
        return {code: code, effective: yesNo(fields["effective_" + code])};
      }),
      ced_trained: yesNo(fields.ced_trained),
      ced_carried: yesNo(fields.ced_carried),
      reasons: list(fields.reasons),
      impact_factors: list(fields.impact_factors),
      officer_injury: {injured: yesNo(fields.officer_injured), intentional_assault: yesNo(fields.officer_assaulted),
                       level: fields.officer_injury_level || null},
      subject_injury: {injured: yesNo(fields.person_injured), level: fields.person_injury_level || null,
                       medical_assistance: fields.medical_assistance || null},
      outcomes: list(fields.outcomes),
      bwv: {worn: yesNo(fields.bwv_worn), recording: yesNo(fields.bwv_recording),
            reference: fields.bwv_reference || null, viewed_before_account: yesNo(fields.bwv_viewed)},
      narrative: fields.narrative || null
    };
    return {content: content, typing: typing};
  }

  // The fields for a report content that came without them (an entry made elsewhere).
  function contentFields(content) {
    var fields = {incident_day: "", incident_month: "", incident_year: "", incident_time: ""};
    var utc = self.UofRules.parseDatetime(content.incident_at);
    if (utc !== null) {
      var p = londonParts(Number(utc / 1000n));
      fields.incident_day = String(p.day);
      fields.incident_month = String(p.month);
      fields.incident_year = String(p.year);
      fields.incident_time = two(p.hour) + ":" + two(p.minute);
    }
    var subject = content.subject || {};
    var officer = content.officer_injury || {};
    var person = content.subject_injury || {};
    var bwv = content.bwv || {};
    var items = Array.isArray(content.tactics) ? content.tactics.filter(function (item) {
      return item && typeof item.code === "string";
    }) : [];
    Object.assign(fields, {
      incident_reference: content.incident_reference || "", area: content.area || "",
      locations: list(content.locations), age_band: subject.age_band || null, gender: subject.gender || null,
      ethnicity: subject.ethnicity || null, health_condition: subject.health_condition || null,
      conduct: content.conduct || null, tactics: items.map(function (item) { return item.code; }),
      reasons: list(content.reasons), impact_factors: list(content.impact_factors), outcomes: list(content.outcomes),
      officer_injured: answer(officer.injured), officer_assaulted: answer(officer.intentional_assault),
      officer_injury_level: officer.level || null, person_injured: answer(person.injured),
      person_injury_level: person.level || null, medical_assistance: person.medical_assistance || null,
      bwv_worn: answer(bwv.worn), bwv_recording: answer(bwv.recording), bwv_reference: bwv.reference || "",
      bwv_viewed: answer(bwv.viewed_before_account), narrative: content.narrative || ""
    });
    Object.keys(YES_NO).forEach(function (key) { fields[YES_NO[key]] = answer(content[key]); });
    items.forEach(function (item) { fields["effective_" + item.code] = answer(item.effective); });
    return fields;
  }

  // --- the policy, the tactics' questions and the duty to record ------------------------------------------------

  function applyPolicy() {
    var policy = state.config.policy;
    var levels = policy.tactics || {};
    tacticBoxes.forEach(function (box) {
      var level = levels[box.value] || "excluded";
      var choice = box.closest(".choice");
      var label = choice.querySelector("label");
      var tag = label.querySelector(".tag");
      box.setAttribute("data-level", level);
      // A ticked tactic stays in sight even if the policy now excludes it, so that the officer can untick it.
      choice.hidden = level === "excluded" && !box.checked;
      if (level === "optional" && !tag) {
        label.appendChild(document.createTextNode(" "));
        label.appendChild(el("span", "tag tag--grey", TAG));
      } else if (level !== "optional" && tag) {
        tag.remove();
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll(".choice-group"), function (group) {
      group.hidden = !group.querySelector(".choice:not([hidden])");
    });
    var optional = Object.keys(levels).some(function (code) { return levels[code] === "optional"; });
    var summary = form.querySelector("[data-policy-summary]");
    if (summary) {
      summary.textContent = "The force's recording policy for this incident is version " + policy.version + " (" +
        policy.preset + ")." + (optional ? " Tactics it does not require are marked as not required." : "");
    }
  }

  function duty() {
    var ticked = tacticBoxes.filter(function (box) { return box.checked; });
    if (!ticked.length) { return "none"; }
    return ticked.some(function (box) { return box.getAttribute("data-level") === "required"; }) ? "required" :
      "optional";
  }

  function updateQuestions() {
    var ticked = {};
    tacticBoxes.forEach(function (box) { if (box.checked) { ticked[box.value] = true; } });
    Array.prototype.forEach.call(form.querySelectorAll("[data-effective-for]"), function (question) {
      question.hidden = !ticked[question.getAttribute("data-effective-for")];
    });
    var none = form.querySelector("[data-no-tactics]");
    if (none) { none.hidden = Object.keys(ticked).length > 0; }
    var region = form.querySelector("[data-policy-duty]");
    if (region) {
      var current = duty();
      region.classList.remove("policy-duty--required", "policy-duty--optional");
      if (current !== "none") { region.classList.add("policy-duty--" + current); }
      region.textContent = region.getAttribute("data-message-" + current);
    }
  }

  // --- errors, GOV.UK style: a summary at the top and each message beside its field --------------------------

  function fieldFor(path, content) {
    var effective = /^tactics\.(\d+)\.effective$/.exec(path);
    if (effective) {
      var item = (content.tactics || [])[Number(effective[1])];
      return item && typeof item.code === "string" ? "effective_" + item.code : null;
    }
    for (var key = path; key; key = key.slice(0, Math.max(key.lastIndexOf("."), 0))) {
      if (Object.prototype.hasOwnProperty.call(FIELD_FOR, key)) { return FIELD_FOR[key]; }
    }
    return null;
  }

  function clearErrors() {
    errorSlot.textContent = "";
    Array.prototype.forEach.call(form.querySelectorAll("[data-client-error]"), function (node) { node.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".form-group--error"), function (group) {
      group.classList.remove("form-group--error");
    });
    Array.prototype.forEach.call(form.querySelectorAll(".input--error"), function (input) {
      input.classList.remove("input--error");
    });
    document.title = document.title.replace(/^Error: /, "");
  }

  // The input an error links to: the field's own, or the first one in sight in its group.
  function target(name) {
    var input = document.getElementById(name);
    if (!input) { return null; }
    if (input.closest("[hidden]")) {
      var group = input.closest(".form-group");
      var shown = group && Array.prototype.filter.call(group.querySelectorAll("input"), function (each) {
        return !each.closest("[hidden]");
      })[0];
      return shown || input;
    }
    return input;
  }

  function showErrors(errors, content, lead) {
    clearErrors();
    var links = [];
    var beside = {};
    Object.keys(errors).forEach(function (path) {
      var name = fieldFor(path, content);
      var input = name ? target(name) : null;
      (errors[path] || []).forEach(function (message) {
        links.push({message: message, input: input});
        if (input) { (beside[name] = beside[name] || {input: input, messages: []}).messages.push(message); }
      });
    });
    Object.keys(beside).forEach(function (name) {
      var group = beside[name].input.closest(".form-group");
      if (!group) { return; }
      group.classList.add("form-group--error");
      var box = group.querySelector(":scope > fieldset") || group;
      var anchor = box.querySelector(":scope > .hint") ||
        box.querySelector(":scope > legend, :scope > label, :scope > .label-wrapper");
      beside[name].messages.slice().reverse().forEach(function (message) {
        var line = el("p", "field-error");
        line.setAttribute("data-client-error", "");
        line.appendChild(el("span", "visually-hidden", "Error:"));
        line.appendChild(document.createTextNode(" " + message));
        box.insertBefore(line, anchor ? anchor.nextSibling : box.firstChild);
      });
      Array.prototype.forEach.call(group.querySelectorAll(".input, select, textarea"), function (input) {
        input.classList.add("input--error");
      });
    });
    // In the order of the form, as the server's check-answers page lists them.
    links.sort(function (a, b) {
      if (!a.input || !b.input) { return (a.input ? 0 : 1) - (b.input ? 0 : 1); }
      return a.input.compareDocumentPosition(b.input) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    });
    var summary = el("div", "error-summary");
    summary.setAttribute("role", "alert");
    summary.setAttribute("tabindex", "-1");
    summary.setAttribute("aria-labelledby", "error-summary-title");
    summary.appendChild(el("h2", "error-summary__title", "There is a problem")).id = "error-summary-title";
    if (lead) { summary.appendChild(el("p", null, lead)); }
    var items = el("ul", "error-summary__list");
    links.forEach(function (entry) {
      var item = items.appendChild(el("li"));
      if (entry.input) {
        var a = item.appendChild(el("a", null, entry.message));
        a.href = "#" + entry.input.id;
      } else {
        item.textContent = entry.message;
      }
    });
    summary.appendChild(items);
    errorSlot.appendChild(summary);
    document.title = "Error: " + document.title;
    summary.focus();
  }

  function validate(fields) {
    var built = buildContent(fields, state.record ? state.record.client_id : O.newId());
    var config = state.config;
    var result = self.UofRules.validateReport(built.content, {
      vocabularies: config.vocabularies, policy: config.policy, areas: config.areas || null, now: Date.now()
    });
    var errors = result.errors;
    // What was typed but is not a date replaces "enter the date", as on the server (drafts.errors).
    if (built.typing) { errors.incident_at = [built.typing]; }
    return {content: built.content, errors: errors, ok: Object.keys(errors).length === 0};
  }

  // --- keeping the draft on the phone ------------------------------------------------------------------------------

  function saved(message) {
    var line = root.querySelector("[data-device-saved]");
    if (line) { line.textContent = message; }
  }

  function ensureRecord() {
    if (state.record) { return; }
    state.record = {client_id: O.newId(), user_id: state.user ? state.user.id : null, created_at: Date.now()};
    state.kind = "draft";
    // A reload (or the list's Continue link) finds this draft again.
    history.replaceState(null, "", self.location.pathname + "?draft=" + state.record.client_id);
  }

  function save() {
    clearTimeout(state.timer);
    state.timer = null;
    var record = state.record;
    if (!record) { return Promise.resolve(); }
    var fields = readFields();
    var stamp = Date.now();
    var done = state.kind === "entry" ?
      O.updateEntry(record.client_id, function (entry) {
        if (entry.state !== O.NEEDS_ATTENTION) { return null; }
        entry.fields = fields;
        entry.updated_at = stamp;
        return entry;
      }) :
      O.saveDraft({client_id: record.client_id, user_id: record.user_id, created_at: record.created_at,
                   updated_at: stamp, fields: fields, content: buildContent(fields, record.client_id).content});
    return done.then(function () {
      saved("Saved on this phone at " + O.ukDateTime(new Date(stamp).toISOString()).split(", ")[1] + ".");
    }, function () {
      saved("This phone could not save your answers. Do not close this page.");
    });
  }

  function changed() {
    ensureRecord();
    updateQuestions();
    clearTimeout(state.timer);
    state.timer = setTimeout(save, SAVE_DELAY);
  }

  // --- check your answers, built from the page's own questions and labels ------------------------------------

  function labelText(node) {
    if (!node) { return ""; }
    var copy = node.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".tag, .visually-hidden"), function (n) { n.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function answerOf(group, content) {
    if (group.querySelector(".date-input")) { return O.ukDateTime(content.incident_at) || "Not answered"; }
    var inputs = Array.prototype.filter.call(group.querySelectorAll("input, select, textarea"), function (input) {
      return !input.closest("[hidden]");
    });
    var first = inputs[0];
    if (!first) { return "Not answered"; }
    if (first.type === "radio" || first.type === "checkbox") {
      var chosen = inputs.filter(function (input) { return input.checked; }).map(function (input) {
        return labelText(form.querySelector("label[for='" + input.id + "']"));
      });
      if (chosen.length) { return chosen.join("\n"); }
      return first.name === "impact_factors" ? "None" : "Not answered";
    }
    if (first.tagName === "SELECT") {
      return first.value ? first.options[first.selectedIndex].text : "Not given";
    }
    return first.value.trim() || "Not given";
  }

  function renderCheck(content) {
    checkPanel.textContent = "";
    var heading = checkPanel.appendChild(el("h2", null, "Check your answers"));
    heading.id = "check-answers";
    heading.tabIndex = -1;
    var current = duty();
    var region = form.querySelector("[data-policy-duty]");
    var box = checkPanel.appendChild(el("div", "policy-duty" + (current !== "none" ? " policy-duty--" + current : "")));
    box.appendChild(el("p", null, region ? region.getAttribute("data-message-" + current) : ""));
    box.appendChild(el("p", null, "Recording policy version " + state.config.policy.version + " (" +
                                  state.config.policy.preset + ")."));
    Array.prototype.forEach.call(form.querySelectorAll(".form-section"), function (section) {
      var card = checkPanel.appendChild(el("section", "summary-card"));
      var header = card.appendChild(el("div", "summary-card__header"));
      var title = section.querySelector("h2").textContent;
      header.appendChild(el("h3", null, title));
      var change = header.appendChild(el("a", "action-link", "Change"));
      change.appendChild(el("span", "visually-hidden", " " + title.toLowerCase()));
      change.href = "#" + section.id;
      change.setAttribute("data-device-change", "");
      var rows = card.appendChild(el("dl", "summary"));
      Array.prototype.forEach.call(section.querySelectorAll(".form-group"), function (group) {
        if (group.closest("[hidden]")) { return; }
        var row = rows.appendChild(el("div", "summary__row"));
        row.appendChild(el("dt", "summary__key", labelText(group.querySelector("legend, label"))));
        row.appendChild(el("dd", "summary__value", answerOf(group, content)));
      });
    });
    var user = state.user;
    var who = user ? user.name + (user.force_number ? " (" + user.force_number + ")" : "") : null;
    checkPanel.appendChild(el("h3", null, "Submit your report"));
    checkPanel.appendChild(el("p", null, "By submitting you confirm that these answers are correct to the best of " +
                                          "your knowledge. Your supervisor is told."));
    if (who) {
      checkPanel.appendChild(el("p", null, "It is sent as " + who + ". If that is not you, log in as yourself " +
                                            "before you submit."));
    }
    var actions = checkPanel.appendChild(el("div", "button-group"));
    var submit = actions.appendChild(el("button", "button", "Submit report"));
    submit.type = "button";
    submit.setAttribute("data-device-submit", "");
    var back = actions.appendChild(el("a", "button button--secondary", "Change your answers"));
    back.href = "#section-incident";
    back.setAttribute("data-device-change", "");
  }

  function show(panel) {
    form.hidden = panel !== form;
    checkPanel.hidden = panel !== checkPanel;
    donePanel.hidden = panel !== donePanel;
  }

  function toCheck() {
    ensureRecord();
    var result = validate(readFields());
    if (!result.ok) {
      show(form);
      showErrors(result.errors, result.content);
      return;
    }
    clearErrors();
    renderCheck(result.content);
    show(checkPanel);
    checkPanel.querySelector("#check-answers").focus();
  }

  function submit(button) {
    ensureRecord();
    var fields = readFields();
    var result = validate(fields);
    if (!result.ok) {
      show(form);
      showErrors(result.errors, result.content);
      return Promise.resolve();
    }
    var record = state.record;
    var userId = record.user_id !== null && record.user_id !== undefined ? record.user_id :
      (state.user ? state.user.id : null);
    if (userId === null) {
      show(form);
      showErrors({who: ["Log in once with a signal so that this phone knows who you are; your answers are kept."]},
                 result.content);
      return Promise.resolve();
    }
    button.disabled = true;
    clearTimeout(state.timer);
    var replaces = null;
    var content = result.content;
    if (state.kind === "entry" && record.problem === "conflict") {
      // The server holds something else under the old client_id: this becomes a new report.
      replaces = record.client_id;
      content.client_id = O.newId();
    }
    return O.queue({client_id: content.client_id, user_id: userId, content: content, fields: fields,
                    created_at: record.created_at}, replaces).then(function () {
      state.record = null;
      state.kind = null;
      history.replaceState(null, "", self.location.pathname);
      show(donePanel);
      donePanel.querySelector("[data-device-done-title]").focus();
      O.requestSync();
      return O.flush({trigger: "submit"});
    }, function () {
      button.disabled = false;
      showErrors({storage: ["This phone could not keep the report. Try again; do not close this page."]}, content);
    });
  }

  // --- starting, resuming, correcting ------------------------------------------------------------------------------

  function notice(message, withNewButton) {
    noticeSlot.textContent = "";
    if (!message) { return; }
    var box = noticeSlot.appendChild(el("div", "notice"));
    box.appendChild(el("p", null, message));
    if (withNewButton) {
      var again = box.appendChild(el("button", "link-button", "Start a new report instead"));
      again.type = "button";
      again.setAttribute("data-device-new", "");
    }
  }

  function defaultArea() {
    var area = form.querySelector("[name=area]");
    var teams = state.user && state.user.teams ? state.user.teams : [];
    var mine = teams.length ? teams[0].area : null;
    if (area && mine && Array.prototype.some.call(area.options, function (o) { return o.value === mine; })) {
      area.value = mine;
    }
  }

  function fresh() {
    form.reset();
    state.record = null;
    state.kind = null;
    history.replaceState(null, "", self.location.pathname);
    defaultArea();
    applyPolicy();
    updateQuestions();
    clearErrors();
    saved("");
  }

  function use(record, kind) {
    state.record = record;
    state.kind = kind;
    fillFields(record.fields || contentFields(record.content || {}));
    applyPolicy();
    updateQuestions();
  }

  function pick() {
    var wanted = new URLSearchParams(self.location.search).get("draft");
    var userId = state.user ? state.user.id : null;
    if (wanted) {
      return Promise.all([O.getDraft(wanted), O.getEntry(wanted)]).then(function (found) {
        if (found[0]) {
          use(found[0], "draft");
          return;
        }
        var entry = found[1];
        if (entry && entry.state === O.NEEDS_ATTENTION) {
          use(entry, "entry");
          notice(null);
          var errors = entry.errors && Object.keys(entry.errors).length ? entry.errors : {report: [entry.last_error]};
          showErrors(errors, entry.content || {}, "The server could not accept this report. Correct it and send it " +
                                                  "again.");
          return;
        }
        fresh();
        notice(entry ? "That report is waiting to send, so it can no longer be changed here." :
          "That draft is not on this phone.");
      });
    }
    return O.all().then(function (stores) {
      var mine = stores.drafts.filter(function (d) { return userId !== null && d.user_id === userId; })
        .sort(function (a, b) { return (b.updated_at || 0) - (a.updated_at || 0); });
      if (!mine.length) {
        fresh();
        return;
      }
      use(mine[0], "draft");
      history.replaceState(null, "", self.location.pathname + "?draft=" + mine[0].client_id);
      notice("You are continuing the draft you saved on this phone at " +
             O.ukDateTime(new Date(mine[0].updated_at || mine[0].created_at).toISOString()) + ".", true);
    });
  }

  function loadConfig() {
    return self.fetch("/api/v1/form", {credentials: "same-origin", redirect: "manual",
                                       headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; })
      .then(function (config) {
        if (config && config.policy && config.vocabularies) {
          return O.putMeta("form", config).then(function () { return config; });
        }
        return O.getMeta("form");
      });
  }

  function showWho(found) {
    var line = document.querySelector("[data-session-name]");
    var user = found.user;
    var name = user ? user.name + (user.force_number ? " (" + user.force_number + ")" : "") : null;
    if (line) {
      line.textContent = found.state === "in" ? "Logged in as " + name + "." :
        found.state === "out" ? "Not logged in." : name ? "Last logged in as " + name + " (no signal)." : "";
    }
    if (found.state === "out" && name) {
      notice("You are not logged in. What you record is kept on this phone and sent after " + name +
             " logs in here.");
    }
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    save();
    toCheck();
  });
  root.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-device-new], [data-device-change], [data-device-submit]");
    if (!trigger) { return; }
    if (trigger.hasAttribute("data-device-submit")) {
      submit(trigger);
    } else if (trigger.hasAttribute("data-device-change")) {
      event.preventDefault();
      show(form);
      var section = document.querySelector(trigger.getAttribute("href"));
      if (section) { section.scrollIntoView(); }
    } else {
      save().then(function () {
        fresh();
        notice(null);
        show(form);
        form.querySelector("input, select, textarea").focus();
      });
    }
  });
  // Typing stops when the officer switches app or closes the tab: save at once rather than after the pause.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && state.timer) { save(); }
  });
  self.addEventListener("pagehide", function () { if (state.timer) { save(); } });

  var submitRow = form.querySelector(".button-group");
  var savedLine = el("p", "hint");
  savedLine.setAttribute("data-device-saved", "");
  savedLine.setAttribute("aria-live", "polite");
  submitRow.parentNode.insertBefore(savedLine, submitRow);

  Promise.all([loadConfig(), O.session()]).then(function (found) {
    state.config = found[0];
    state.user = found[1].user;
    state.session = found[1].state;
    showWho(found[1]);
    if (!state.config) {
      notice("This form needs its settings from the server once. Open it again when you have a signal, or " +
             "record with the step-by-step form.");
      root.hidden = false;
      form.hidden = true;
      return null;
    }
    return pick().then(function () { root.hidden = false; });
  });
})();
