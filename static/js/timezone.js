// Tell the server the browser's time zone (IANA name), so times are shown in it; the server checks the
// name against its time zone database and otherwise uses the ship-to country's main zone.
(function () {
  if (!(window.Intl && Intl.DateTimeFormat)) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone) return;
  var value = encodeURIComponent(zone);
  if (document.cookie.split("; ").indexOf("tz=" + value) === -1) {
    document.cookie = "tz=" + value + "; path=/; max-age=31536000; samesite=lax";
  }
})();
