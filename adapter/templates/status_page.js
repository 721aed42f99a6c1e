var baseUrl = new URL(document.getElementById("base-url").textContent, window.location.href).href;
document.querySelectorAll("[data-base-url]").forEach(function (element) {
  element.textContent = baseUrl;
});
document.querySelectorAll("button[data-copy]").forEach(function (button) {
  button.addEventListener("click", function () {
    var source = document.getElementById(button.getAttribute("data-copy"));
    var text = source.textContent;
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    if (document.execCommand("copy")) { done(); }
  });
});
document.body.setAttribute("data-script", "ready");
