// Starts Swagger UI on the served contract. Every "try it" request carries the bearer
// token typed into the bar above (kept in this browser's sessionStorage only). Nothing is
// loaded from elsewhere: the spec validator badge is off.
(function () {
  var input = document.getElementById("token");
  var state = document.getElementById("token-state");
  input.value = sessionStorage.getItem("custaccess-token") || "";
  function remember() {
    sessionStorage.setItem("custaccess-token", input.value.trim());
    state.textContent = input.value.trim() ? "set" : "";
  }
  input.addEventListener("input", remember);
  document.getElementById("token-bar").addEventListener("submit", function (e) { e.preventDefault(); });
  remember();
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    tryItOutEnabled: true,
    requestInterceptor: function (request) {
      var token = input.value.trim();
      if (token) {
        request.headers.Authorization = "Bearer " + token;
      }
      return request;
    }
  });
})();
