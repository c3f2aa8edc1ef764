/* Progressive enhancement of the recording form: as tactics are ticked, say whether the force's recording
   policy requires this use of force to be recorded. Without JavaScript the same message appears on the next
   page. Each checkbox carries its tactic's policy level in data-level; the messages come from the page. */
(function () {
  "use strict";
  var region = document.querySelector("[data-policy-duty]");
  if (!region) {
    return;
  }
  var boxes = document.querySelectorAll("input[type=checkbox][data-level]");

  function duty() {
    var ticked = false;
    for (var i = 0; i < boxes.length; i += 1) {
      if (boxes[i].checked) {
        if (boxes[i].getAttribute("data-level") === "required") {
          return "required";
        }
        ticked = true;
      }
    }
    return ticked ? "optional" : "none";
  }

  function update() {
    var current = duty();
    region.classList.remove("policy-duty--required", "policy-duty--optional");
    if (current !== "none") {
      region.classList.add("policy-duty--" + current);
    }
    region.textContent = region.getAttribute("data-message-" + current);
  }

  for (var i = 0; i < boxes.length; i += 1) {
    boxes[i].addEventListener("change", update);
  }
})();
