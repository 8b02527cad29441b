(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  function say(message) { if (status) { status.textContent = message; } }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    var link = document.getElementById(button.getAttribute("data-copy"));
    if (!link || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(
        function () { say("Copied " + link.href); },
        function () { say("Could not copy; select the link instead."); }
      );
    });
  });
}());
