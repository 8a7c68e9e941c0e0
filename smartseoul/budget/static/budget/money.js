// Amounts as people read them, the same rule as smartseoul/lib/money.py:
// 80억 원 / 2억 5,000만원 in Korean, KRW 8 billion in English.
(function () {
  "use strict";
  function won(n, korean) {
    if (korean) {
      if (n < 10000) { return n.toLocaleString("ko-KR") + "원"; }
      var parts = [], rest = n;
      [[1e12, "조"], [1e8, "억"], [1e4, "만"]].forEach(function (u) {
        var q = Math.floor(rest / u[0]);
        if (q) { parts.push(q.toLocaleString("ko-KR") + u[1]); rest -= q * u[0]; }
      });
      if (rest) { parts.push(rest.toLocaleString("ko-KR")); return parts.join(" ") + "원"; }
      return parts.join(" ") + " 원";
    }
    var big = [[1e12, "trillion"], [1e9, "billion"], [1e6, "million"]];
    for (var i = 0; i < big.length; i++) {
      if (n >= big[i][0] && n % (big[i][0] / 100) === 0) { return "KRW " + (n / big[i][0]) + " " + big[i][1]; }
    }
    return "KRW " + n.toLocaleString("en-US");
  }
  window.smartseoulWon = won;
})();
