/* The report's validation rules on the device: a port of uof/domain/validation.py with the same dotted paths
   and the same messages, so that an officer with no signal sees what the server would say. The server stays
   the authority: it validates again and its 422 comes back to the officer. tests/browser/test_offline.py runs
   one table of bodies through both and compares. The vocabularies and the policy come from GET /api/v1/form
   (cached for offline use), so only the rules live here. Works in a window and in a worker. */
(function (root) {
  "use strict";

  var NARRATIVE_MAX = 4000;
  var REFERENCE_MAX = 40;
  var BWV_REFERENCE_MAX = 60;
  var AREA_MAX = 80;
  var US_PER_DAY = 86400000000n;
  var CLOCK_SKEW = 300000000n; // five minutes, in microseconds
  var FIELDS = [
    "client_id", "incident_at", "incident_reference", "area", "locations", "subject", "conduct",
    "impact_factors", "reasons", "tactics", "officer_injury", "subject_injury", "outcomes", "single_crewed",
    "ced_trained", "ced_carried", "bwv", "narrative"
  ];
  var SUBJECT_FIELDS = [
    ["age_band", "age_band", "an age band"], ["gender", "gender", "a gender"],
    ["ethnicity", "ethnicity", "an ethnicity"], ["health_condition", "health_condition", "a health condition"]
  ];
  var SUB_OBJECT_FIELDS = {
    subject: ["age_band", "gender", "ethnicity", "health_condition"],
    officer_injury: ["injured", "intentional_assault", "level"],
    subject_injury: ["injured", "level", "medical_assistance"],
    bwv: ["worn", "recording", "reference", "viewed_before_account"]
  };
  // The tactics with a CED (Taser) rank in uof/domain/vocabulary.py; the parity test keeps this list honest.
  var CED_TACTICS = ["ced_drawn", "ced_aimed", "ced_red_dot", "ced_arced", "ced_drive_stun",
                     "ced_angle_drive_stun", "ced_fired"];
  // Python's str.strip() removes these (str.isspace), which is not quite JavaScript's trim().
  var SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var STRIP = new RegExp("^[" + SPACE + "]+|[" + SPACE + "]+$", "g");

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function get(object, key) {
    return has(object, key) && object[key] !== undefined ? object[key] : null;
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function strip(text) {
    return text.replace(STRIP, "");
  }

  function length(text) {
    return Array.from(text).length; // code points, as Python counts them
  }

  function thousands(number) {
    return String(number).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function sortedKeys(keys) {
    // Python sorts by code point; UTF-16 order differs only beyond the Basic Multilingual Plane.
    return keys.slice().sort(function (a, b) {
      var x = Array.from(a).map(function (c) { return c.codePointAt(0); });
      var y = Array.from(b).map(function (c) { return c.codePointAt(0); });
      for (var i = 0; i < Math.min(x.length, y.length); i += 1) {
        if (x[i] !== y[i]) { return x[i] - y[i]; }
      }
      return x.length - y.length;
    });
  }

  // --- dates: datetime.fromisoformat (CPython 3.11's C parser, byte for byte) and UTC arithmetic ------------

  function isLeap(year) {
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  }

  function daysInMonth(year, month) {
    return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  }

  function ordinal(year, month, day) {
    // Days since 0001-01-01 is day 1, in the proleptic Gregorian calendar (Python's toordinal).
    var y = year - 1;
    var before = 0;
    for (var m = 1; m < month; m += 1) { before += daysInMonth(year, m); }
    return y * 365 + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400) + before + day;
  }

  function fromOrdinal(n) {
    var d = n - 1;
    var n400 = Math.floor(d / 146097); d -= n400 * 146097;
    var n100 = Math.floor(d / 36524); d -= n100 * 36524;
    var n4 = Math.floor(d / 1461); d -= n4 * 1461;
    var n1 = Math.floor(d / 365); d -= n1 * 365;
    var year = n400 * 400 + n100 * 100 + n4 * 4 + n1 + 1;
    if (n1 === 4 || n100 === 4) { return [year - 1, 12, 31]; }
    var month = 1;
    while (d >= daysInMonth(year, month)) { d -= daysInMonth(year, month); month += 1; }
    return [year, month, d + 1];
  }

  function isoToYmd(year, week, day) {
    if (week <= 0 || week >= 53) {
      var first = ordinal(year, 1, 1) % 7;
      if (!(week === 53 && (first === 4 || (first === 3 && isLeap(year))))) { return null; }
    }
    if (day <= 0 || day >= 8) { return null; }
    var firstDay = ordinal(year, 1, 1);
    var firstWeekday = (firstDay + 6) % 7;
    var monday = firstDay - firstWeekday + (firstWeekday > 3 ? 7 : 0);
    return fromOrdinal(monday + (week - 1) * 7 + (day - 1));
  }

  function Bytes(bytes) {
    // A NUL-terminated byte string, as the C parser reads it: past the end there are zeros.
    this.b = bytes;
    this.at = function (i) { return i < bytes.length ? bytes[i] : 0; };
  }

  function isDigit(c) {
    return c >= 48 && c <= 57;
  }

  function digits(s, p, count, out) {
    var value = 0;
    for (var i = 0; i < count; i += 1) {
      var c = s.at(p + i);
      if (!isDigit(c)) { return false; }
      value = value * 10 + (c - 48);
    }
    out.v = value;
    return true;
  }

  function separatorAt(s, len) {
    if (len === 7) { return 7; }
    if (s.at(4) === 45) {
      if (s.at(5) === 87) {
        if (len < 8) { return -1; }
        if (len > 8 && s.at(8) === 45) {
          if (len === 9) { return -1; }
          return len > 10 && isDigit(s.at(10)) ? 8 : 10;
        }
        return 8;
      }
      return 10;
    }
    if (s.at(4) === 87) {
      var idx = 7;
      while (idx < len && isDigit(s.at(idx))) { idx += 1; }
      if (idx < 9) { return idx; }
      return idx % 2 === 0 ? 7 : 8;
    }
    return 8;
  }

  function parseDate(s, len) {
    var n = {};
    if (!digits(s, 0, 4, n)) { return null; }
    var year = n.v;
    var p = 4;
    var dashed = s.at(p) === 45;
    if (dashed) { p += 1; }
    if (s.at(p) === 87) {
      p += 1;
      if (!digits(s, p, 2, n)) { return null; }
      var week = n.v;
      var weekday = 1;
      p += 2;
      if (p < len) {
        if (dashed && s.at(p++) !== 45) { return null; }
        if (!digits(s, p, 1, n)) { return null; }
        weekday = n.v;
      }
      if (year < 1 || year > 9999) { return null; }
      return isoToYmd(year, week, weekday);
    }
    if (!digits(s, p, 2, n)) { return null; }
    var month = n.v;
    p += 2;
    if (dashed && s.at(p++) !== 45) { return null; }
    if (!digits(s, p, 2, n)) { return null; }
    return [year, month, n.v];
  }

  // HH[:?MM[:?SS[{.,}f+]]] between start and end: {rv: <0 error, 0 end of string, 1 more follows}.
  function parseClock(s, start, end) {
    var vals = [0, 0, 0];
    var p = start;
    var colon = true;
    var n = {};
    var out = {rv: 0, vals: vals, us: 0};
    for (var i = 0; i < 3; i += 1) {
      if (!digits(s, p, 2, n)) { out.rv = -3; return out; }
      vals[i] = n.v;
      p += 2;
      var c = s.at(p++);
      if (i === 0) { colon = c === 58; }
      if (p >= end) { out.rv = c !== 0 ? 1 : 0; return out; }
      if (colon && c === 58) { continue; }
      if (c === 46 || c === 44) { break; }
      if (!colon) { p -= 1; } else { out.rv = -4; return out; }
    }
    var toParse = Math.min(end - p, 6);
    if (toParse <= 0 || !digits(s, p, toParse, n)) { out.rv = -3; return out; }
    out.us = n.v * [100000, 10000, 1000, 100, 10, 1][toParse - 1];
    p += toParse;
    while (isDigit(s.at(p))) { p += 1; }
    out.rv = s.at(p) !== 0 ? 1 : 0;
    return out;
  }

  function parseTime(s, start, len) {
    var end = start + len;
    var tz = start;
    do {
      var c = s.at(tz);
      if (c === 90 || c === 43 || c === 45) { break; }
    } while (++tz < end);
    var clock = parseClock(s, start, tz);
    if (clock.rv < 0) { return null; }
    var time = {h: clock.vals[0], m: clock.vals[1], s: clock.vals[2], us: clock.us, offset: null};
    if (tz === end) { return clock.rv === 1 ? null : time; }
    if (s.at(tz) === 90) {
      time.offset = 0n;
      return s.at(tz + 1) !== 0 ? null : time;
    }
    var sign = s.at(tz) === 45 ? -1n : 1n;
    var zone = parseClock(s, tz + 1, end);
    if (zone.rv !== 0) { return null; }
    var seconds = zone.vals[0] * 3600 + zone.vals[1] * 60 + zone.vals[2];
    // CPython takes a zone of zero whole seconds as UTC, whatever its fraction.
    time.offset = seconds === 0 ? 0n : sign * (BigInt(seconds) * 1000000n + BigInt(zone.us));
    return time;
  }

  function utf8(chars) {
    var bytes = [];
    chars.forEach(function (ch) {
      var cp = ch.codePointAt(0);
      if (cp < 0x80) { bytes.push(cp); }
      else if (cp < 0x800) { bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63)); }
      else if (cp < 0x10000) { bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)); }
      else {
        bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
      }
    });
    return bytes;
  }

  function isSurrogate(ch) {
    var unit = ch.charCodeAt(0);
    return ch.length === 1 && unit >= 0xd800 && unit <= 0xdfff;
  }

  // datetime.fromisoformat: {utc: microseconds since the epoch as a BigInt, aware: bool} or null.
  function fromIsoFormat(text) {
    var chars = Array.from(text);
    if (chars.length < 7) { return null; }
    // A surrogate is allowed only as the date-time separator (at 7, 8 or 10), where it stands for "T".
    for (var k = 0; k < 3; k += 1) {
      var pos = [7, 8, 10][k];
      if (pos > chars.length) { break; }
      if (pos < chars.length && isSurrogate(chars[pos])) { chars[pos] = "T"; break; }
    }
    if (chars.some(isSurrogate)) { return null; } // not encodable as UTF-8
    var bytes = utf8(chars);
    var s = new Bytes(bytes);
    var len = bytes.length;
    var sep = separatorAt(s, len);
    if (sep < 0) { return null; }
    var date = parseDate(s, sep);
    if (date === null) { return null; }
    var time = {h: 0, m: 0, s: 0, us: 0, offset: null};
    if (len > sep) {
      var lead = s.at(sep);
      var p = sep + (lead < 0x80 ? 1 : (lead & 0xf0) === 0xe0 ? 3 : (lead & 0xf0) === 0xf0 ? 4 : 2);
      time = parseTime(s, p, len - p);
      if (time === null) { return null; }
    }
    if (time.offset !== null && (time.offset <= -US_PER_DAY || time.offset >= US_PER_DAY)) { return null; }
    var year = date[0], month = date[1], day = date[2];
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return null;
    }
    if (time.h > 23 || time.m > 59 || time.s > 59) { return null; }
    var days = BigInt(ordinal(year, month, day) - ordinal(1970, 1, 1));
    var local = days * US_PER_DAY + BigInt((time.h * 60 + time.m) * 60 + time.s) * 1000000n + BigInt(time.us);
    return {utc: time.offset === null ? local : local - time.offset, aware: time.offset !== null};
  }

  var MIN_US = BigInt(ordinal(1, 1, 1) - ordinal(1970, 1, 1)) * US_PER_DAY;
  var MAX_US = BigInt(ordinal(9999, 12, 31) - ordinal(1970, 1, 1) + 1) * US_PER_DAY;
  var EARLIEST_INCIDENT = BigInt(ordinal(2017, 4, 1) - ordinal(1970, 1, 1)) * US_PER_DAY;

  /* An ISO 8601 date-time with a time zone, as microseconds since the epoch in UTC; null if it is not one. */
  function parseDatetime(value) {
    if (typeof value !== "string" || !value) { return null; }
    var parsed = fromIsoFormat(value.split("Z").join("+00:00").split("z").join("+00:00"));
    if (parsed === null || !parsed.aware || parsed.utc < MIN_US || parsed.utc >= MAX_US) { return null; }
    return parsed.utc;
  }

  function pad(number, width) {
    return String(number).padStart(width, "0");
  }

  function formatDatetime(us) {
    var days = us / US_PER_DAY - (us % US_PER_DAY < 0n ? 1n : 0n);
    var seconds = Number((us - days * US_PER_DAY) / 1000000n);
    var ymd = fromOrdinal(Number(days) + ordinal(1970, 1, 1));
    return pad(ymd[0], 4) + "-" + pad(ymd[1], 2) + "-" + pad(ymd[2], 2) + "T" + pad(Math.floor(seconds / 3600), 2) +
      ":" + pad(Math.floor(seconds / 60) % 60, 2) + ":" + pad(seconds % 60, 2) + "Z";
  }

  // --- uuid.UUID(str(value)) ----------------------------------------------------------------------------------

  function decimalValue(ch) {
    // int() reads any Unicode decimal digit; each script's digits run 0 to 9 in consecutive code points.
    var cp = ch.codePointAt(0);
    var run = 0;
    while (run < 100 && /\p{Nd}/u.test(String.fromCodePoint(cp - run - 1))) { run += 1; }
    return run % 10;
  }

  function pythonHex(text) {
    // int(text, 16): surrounding spaces, a sign, an optional 0x, single underscores between digits.
    var body = strip(text);
    var ascii = Array.from(body).map(function (ch) {
      return ch.charCodeAt(0) > 127 && /\p{Nd}/u.test(ch) ? String(decimalValue(ch)) : ch;
    }).join("");
    var match = /^([+-]?)(?:0[xX]((?:_?[0-9a-fA-F])+)|([0-9a-fA-F](?:_?[0-9a-fA-F])*))$/.exec(ascii);
    if (!match) { return null; }
    var value = BigInt("0x" + (match[2] || match[3]).split("_").join(""));
    return match[1] === "-" ? -value : value;
  }

  function parseUuid(text) {
    var hex = text.split("urn:").join("").split("uuid:").join("").replace(/^[{}]+|[{}]+$/g, "").split("-").join("");
    if (length(hex) !== 32) { return null; }
    var value = pythonHex(hex);
    if (value === null || value < 0n || value >= (1n << 128n)) { return null; }
    var h = value.toString(16).padStart(32, "0");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  // --- the rules -----------------------------------------------------------------------------------------------

  function Result() {
    this.content = {};
    this.errors = {};
  }

  Result.prototype.add = function (path, message) {
    (has(this.errors, path) ? this.errors[path] : (this.errors[path] = [])).push(message);
  };

  function Vocabulary(labels) {
    this.labels = labels || {};
  }

  Vocabulary.prototype.accepts = function (code) {
    return typeof code === "string" && has(this.labels, code);
  };

  Vocabulary.prototype.label = function (code) {
    return has(this.labels, code) ? this.labels[code] : code;
  };

  Vocabulary.prototype.codes = function () {
    return Object.keys(this.labels);
  };

  function bool(data, key, path, result) {
    var value = get(data, key);
    if (value === null) {
      result.add(path, "Select yes or no.");
      return null;
    }
    if (typeof value !== "boolean") {
      result.add(path, "Must be true or false.");
      return null;
    }
    return value;
  }

  function code(value, vocab, path, result, what) {
    if (value === null || value === undefined || value === "") {
      result.add(path, "Select " + what + ".");
      return null;
    }
    if (!vocab.accepts(value)) {
      result.add(path, "Unknown " + what + ": choose one of the listed options.");
      return null;
    }
    return value;
  }

  function codes(value, vocab, path, result, what, atLeastOne) {
    if (value === null || value === undefined) { value = []; }
    if (!Array.isArray(value)) {
      result.add(path, "Must be a list.");
      return [];
    }
    var chosen = {};
    value.forEach(function (item, index) {
      if (!vocab.accepts(item)) {
        result.add(path + "." + index, "Unknown " + what + ": choose one of the listed options.");
      } else if (has(chosen, item)) {
        result.add(path + "." + index, vocab.label(item) + " is listed twice.");
      } else {
        chosen[item] = true;
      }
    });
    if (atLeastOne && !value.length) {
      result.add(path, "Select at least one " + what + ".");
    }
    return vocab.codes().filter(function (c) { return has(chosen, c); });
  }

  function object(data, key, result) {
    var value = get(data, key);
    if (value === null) { return {}; }
    if (!isObject(value)) {
      result.add(key, "Must be an object.");
      return null;
    }
    var known = SUB_OBJECT_FIELDS[key];
    sortedKeys(Object.keys(value).filter(function (k) { return known.indexOf(k) < 0; })).forEach(function (k) {
      result.add(key + "." + k, "Unknown field.");
    });
    return value;
  }

  function text(value, path, result, maxLength, required) {
    if (value === null || value === undefined) { value = ""; }
    if (typeof value !== "string") {
      result.add(path, "Must be text.");
      return "";
    }
    var stripped = strip(value);
    var size = length(stripped);
    if (required && !stripped) {
      result.add(path, required);
    } else if (size > maxLength) {
      result.add(path, "Must be " + thousands(maxLength) + " characters or fewer (it is " + thousands(size) + ").");
    } else if (/[\x00-\x08\x0b\x0c\x0e-\x1f]/.test(stripped)) {
      result.add(path, "Must not contain control characters.");
    }
    return stripped;
  }

  function tactics(value, vocab, policy, result) {
    if (value === null || value === undefined) { value = []; }
    if (!Array.isArray(value)) {
      result.add("tactics", "Must be a list.");
      return [];
    }
    var levels = (policy && policy.tactics) || {};
    var used = {};
    value.forEach(function (item, index) {
      var path = "tactics." + index;
      if (!isObject(item)) {
        result.add(path, "Each tactic must be an object with a code and effective.");
        return;
      }
      sortedKeys(Object.keys(item).filter(function (k) { return k !== "code" && k !== "effective"; }))
        .forEach(function (k) { result.add(path + "." + k, "Unknown field."); });
      var tactic = get(item, "code");
      if (typeof tactic !== "string" || !vocab.accepts(tactic)) {
        result.add(path + ".code", "Unknown tactic: choose one of the listed options.");
        return;
      }
      if ((has(levels, tactic) ? levels[tactic] : "excluded") === "excluded") {
        result.add(path + ".code", vocab.label(tactic) + " is not recorded under the force's recording policy " +
                   "(version " + policy.version + ").");
        return;
      }
      if (has(used, tactic)) {
        result.add(path + ".code", vocab.label(tactic) + " is listed twice.");
        return;
      }
      var effective = get(item, "effective");
      if (typeof effective !== "boolean") {
        result.add(path + ".effective", "Say whether " + vocab.label(tactic).toLowerCase() + " was effective.");
        return;
      }
      used[tactic] = effective;
    });
    if (!value.length) {
      result.add("tactics", "Select at least one tactic you used.");
    } else if (Object.keys(used).length && !Object.keys(used).some(function (c) {
      return c !== "tactical_communication";
    })) {
      result.add("tactics", "Tactical communication is recorded only alongside another tactic.");
    }
    return vocab.codes().filter(function (c) { return has(used, c); }).map(function (c) {
      return {code: c, effective: used[c]};
    });
  }

  function officerInjury(data, vocabs, result) {
    var raw = object(data, "officer_injury", result) || {};
    var injury = {
      injured: bool(raw, "injured", "officer_injury.injured", result),
      intentional_assault: bool(raw, "intentional_assault", "officer_injury.intentional_assault", result),
      level: code(get(raw, "level"), vocabs.officer_injury_level, "officer_injury.level", result,
                  "the officer's injury level")
    };
    if (injury.injured === false && injury.level !== null && injury.level !== "none") {
      result.add("officer_injury.level", "An officer who was not injured has injury level none.");
    }
    if (injury.injured === true && injury.level === "none") {
      result.add("officer_injury.level", "Select minor or severe for an injured officer.");
    }
    if (injury.injured === false && injury.intentional_assault === true) {
      result.add("officer_injury.intentional_assault",
                 "An intentional assault is recorded here only when the officer was injured.");
    }
    return injury;
  }

  function subjectInjury(data, vocabs, result) {
    var raw = object(data, "subject_injury", result) || {};
    var injury = {
      injured: bool(raw, "injured", "subject_injury.injured", result),
      level: code(get(raw, "level"), vocabs.subject_injury_level, "subject_injury.level", result,
                  "the person's injury level"),
      medical_assistance: code(get(raw, "medical_assistance"), vocabs.medical_assistance,
                               "subject_injury.medical_assistance", result, "the medical assistance")
    };
    if (injury.injured === false && injury.level !== null && injury.level !== "none") {
      result.add("subject_injury.level", "A person who was not injured has injury level none.");
    }
    if (injury.injured === true && injury.level === "none") {
      result.add("subject_injury.level", "Select minor, severe or death for an injured person.");
    }
    return injury;
  }

  function bodyWornVideo(data, result) {
    var raw = object(data, "bwv", result) || {};
    var bwv = {
      worn: bool(raw, "worn", "bwv.worn", result),
      recording: bool(raw, "recording", "bwv.recording", result),
      reference: text(get(raw, "reference"), "bwv.reference", result, BWV_REFERENCE_MAX) || null,
      viewed_before_account: bool(raw, "viewed_before_account", "bwv.viewed_before_account", result)
    };
    if (bwv.worn === false && bwv.recording === true) {
      result.add("bwv.recording", "Body-worn video cannot be recording if it was not worn.");
    }
    if (bwv.recording === false && bwv.reference) {
      result.add("bwv.reference", "A footage reference is given only when the camera was recording.");
    }
    if (bwv.recording === false && bwv.viewed_before_account === true) {
      result.add("bwv.viewed_before_account", "Footage can be viewed only when the camera was recording.");
    }
    return bwv;
  }

  function consistency(out, result) {
    var outcomes = out.outcomes;
    var level = out.subject_injury.level;
    if (level === "death" && outcomes.indexOf("fatality") < 0) {
      result.add("outcomes", "A death must be recorded with the outcome fatality.");
    }
    if (outcomes.indexOf("fatality") >= 0 && level !== "death" && !has(result.errors, "subject_injury.level")) {
      result.add("subject_injury.level", "The outcome fatality needs the injury level death.");
    }
    if (outcomes.indexOf("arrested") >= 0 && outcomes.indexOf("no_further_action") >= 0) {
      result.add("outcomes", "A person cannot be both arrested and have no further action taken.");
    }
    if (out.tactics.some(function (t) { return CED_TACTICS.indexOf(t.code) >= 0; })) {
      if (out.ced_carried === false) {
        result.add("ced_carried", "You recorded a Taser (CED) tactic, so you were carrying a Taser.");
      }
      if (out.ced_trained === false) {
        result.add("ced_trained", "You recorded a Taser (CED) tactic, so you are Taser trained.");
      }
    }
    if (out.ced_carried === true && out.ced_trained === false) {
      result.add("ced_trained", "Only Taser-trained officers carry a Taser.");
    }
  }

  function toMicroseconds(now) {
    if (typeof now === "string") { return parseDatetime(now); }
    return BigInt(Math.round(now === undefined || now === null ? Date.now() : Number(now))) * 1000n;
  }

  /* Validate a whole report as the API receives it. options: {vocabularies: GET /api/v1/form's vocabularies,
     policy: its policy, areas: the force's areas or null, now: milliseconds or an ISO string (default now)}.
     Returns {ok, content, errors}, errors keyed by dotted path. */
  function validateReport(data, options) {
    options = options || {};
    var vocabs = {};
    var given = options.vocabularies || {};
    Object.keys(given).forEach(function (name) { vocabs[name] = new Vocabulary(given[name]); });
    ["tactics", "locations", "age_band", "gender", "ethnicity", "health_condition", "conduct", "impact_factors",
     "reasons", "outcomes", "officer_injury_level", "subject_injury_level", "medical_assistance"]
      .forEach(function (name) { vocabs[name] = vocabs[name] || new Vocabulary({}); });
    var now = toMicroseconds(options.now);
    var result = new Result();
    if (!isObject(data)) {
      result.add("body", "Expected a JSON object.");
      return {ok: false, content: result.content, errors: result.errors};
    }
    Object.keys(data).forEach(function (key) {
      if (FIELDS.indexOf(key) < 0) { result.add(String(key), "Unknown field."); }
    });
    var out = result.content;

    var clientId = get(data, "client_id");
    out.client_id = typeof clientId === "string" ? parseUuid(clientId) : null;
    if (out.client_id === null) { result.add("client_id", "Must be a UUID made on the device."); }

    var rawIncident = get(data, "incident_at");
    var incidentAt = parseDatetime(rawIncident);
    if (rawIncident === null || rawIncident === "") {
      result.add("incident_at", "Enter the date and time of the incident.");
    } else if (incidentAt === null) {
      result.add("incident_at", "Must be a date and time with a time zone, like 2026-11-25T22:40:00Z.");
    } else if (incidentAt > now + CLOCK_SKEW) {
      result.add("incident_at", "The incident cannot be in the future.");
    } else if (incidentAt < EARLIEST_INCIDENT) {
      result.add("incident_at", "The incident must be on or after 1 April 2017.");
    }
    out.incident_at = incidentAt === null ? null : formatDatetime(incidentAt);
    var policy = options.policy || {version: 0, tactics: {}};

    out.incident_reference = text(get(data, "incident_reference"), "incident_reference", result, REFERENCE_MAX,
                                  "Enter the incident reference (CAD or log number).");
    var area = text(get(data, "area"), "area", result, AREA_MAX);
    var areas = Array.isArray(options.areas) ? options.areas : null;
    if (area && areas !== null && areas.indexOf(area) < 0) {
      result.add("area", "Unknown area: choose one of the force's areas.");
    }
    out.area = area || null;
    out.locations = codes(get(data, "locations"), vocabs.locations, "locations", result, "location", true);

    var subject = object(data, "subject", result);
    out.subject = {};
    SUBJECT_FIELDS.forEach(function (field) {
      out.subject[field[0]] = subject === null ? null :
        code(get(subject, field[0]), vocabs[field[1]], "subject." + field[0], result, field[2]);
    });
    out.conduct = code(get(data, "conduct"), vocabs.conduct, "conduct", result, "the person's conduct");
    out.impact_factors = codes(get(data, "impact_factors"), vocabs.impact_factors, "impact_factors", result,
                               "impact factor", false);
    out.reasons = codes(get(data, "reasons"), vocabs.reasons, "reasons", result, "reason", true);
    out.tactics = tactics(get(data, "tactics"), vocabs.tactics, policy, result);
    out.outcomes = codes(get(data, "outcomes"), vocabs.outcomes, "outcomes", result, "outcome", true);

    ["single_crewed", "ced_trained", "ced_carried"].forEach(function (key) {
      out[key] = bool(data, key, key, result);
    });

    out.officer_injury = officerInjury(data, vocabs, result);
    out.subject_injury = subjectInjury(data, vocabs, result);
    out.bwv = bodyWornVideo(data, result);
    out.narrative = text(get(data, "narrative"), "narrative", result, NARRATIVE_MAX) || null;

    consistency(out, result);
    return {ok: Object.keys(result.errors).length === 0, content: out, errors: result.errors};
  }

  root.UofRules = {
    validateReport: validateReport,
    parseDatetime: parseDatetime,
    formatDatetime: formatDatetime,
    CED_TACTICS: CED_TACTICS,
    NARRATIVE_MAX: NARRATIVE_MAX
  };
})(typeof self !== "undefined" ? self : this);
