/* Daiban: behaviour shared by every page. A static file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  // Print buttons (data-action="print") instead of onclick="window.print()".
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-action='print']");
    if (button) { event.preventDefault(); window.print(); }
  });

  // Mark invalid fields for assistive technology and Bootstrap's styling.
  function markInvalid(root) {
    root.querySelectorAll(".invalid-feedback[data-field]").forEach(function (el) {
      var input = document.getElementById("id_" + el.dataset.field);
      if (input) { input.classList.add("is-invalid"); input.setAttribute("aria-invalid", "true"); }
    });
  }
  markInvalid(document);

  // After a refused submission the server puts autofocus on the first invalid field; a part of the
  // page htmx swaps in (the notes, the intake check) is not a page load, so focus it here.
  document.addEventListener("htmx:afterSettle", function (event) {
    var root = event.target;
    if (!root || !root.querySelector) return;
    markInvalid(root);
    var first = root.matches && root.matches("[autofocus]") ? root : root.querySelector("[autofocus]");
    if (first && first.focus) first.focus();
  });

  // --- Portal CAPTCHA: "看不清，换一张" without reloading the form (the button also works without JS) ---
  document.querySelectorAll("[data-captcha-refresh]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var box = button.closest("[data-captcha]");
      if (!box || !window.fetch) return;  // no fetch: the button submits the form and the server draws a new image
      event.preventDefault();
      fetch(button.dataset.captchaRefresh, {headers: {"X-Requested-With": "XMLHttpRequest"}, credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          box.querySelectorAll("img[data-captcha-image]").forEach(function (img) { img.src = data.image_url; });
          box.querySelectorAll("a[data-captcha-large]").forEach(function (a) { a.href = data.image_url.replace(/\/$/, "@2/"); });
          var key = box.querySelector("input[type=hidden]");
          if (key) key.value = data.key;
          var answer = box.querySelector("input[type=text]");
          if (answer) { answer.value = ""; answer.focus(); }
        });
    });
  });

  // Lists as cards on a phone (daiban.css, table.table-cards): each cell labelled with its column.
  document.querySelectorAll("table.table-cards").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("colspan") && !cell.dataset.label) cell.dataset.label = heads[i];
      });
    });
  });

  // --- Portal: a QR code carries the query code in the fragment (#code=…), never sent to a server.
  // The track form takes it from there, drops it from the address bar and asks the server by POST.
  var codeForm = document.querySelector("form[data-fragment-code]");
  var fragment = /(?:^#|&)code=([A-Za-z0-9]{4,32})/.exec(location.hash || "");
  if (codeForm && fragment) {
    var codeInput = codeForm.querySelector("input[name=code]");
    if (codeInput) codeInput.value = fragment[1];
    if (history.replaceState) history.replaceState(null, "", location.pathname + location.search);
    var numberInput = codeForm.querySelector("input[name=number]");
    if (codeInput && numberInput && numberInput.value && !codeForm.querySelector("[name=captcha_1]")) codeForm.submit();
  }

  // The QR code's page (portal/qr.html): with script, no button to tap; the post spends its ticket.
  var qrForm = document.querySelector("form[data-qr-ticket]");
  if (qrForm) qrForm.submit();

  // --- Staff sessions: warn a minute before the idle or absolute limit, keep unsaved text -----------
  var DRAFT = "daiban-draft:" + location.pathname;

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === "csrfmiddlewaretoken") return false;
      var type = (el.type || "").toLowerCase();
      return el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
        ["text", "search", "date", "number", "tel", "email", "month", "url"].indexOf(type) >= 0;
    });
  }

  function saveDrafts() {
    var forms = [];
    document.querySelectorAll("form[method='post'], form[method='POST']").forEach(function (form, index) {
      var values = {};
      var any = false;
      fieldsOf(form).forEach(function (el) {
        if (el.value && el.value !== el.defaultValue) { values[el.name] = el.value; any = true; }
      });
      if (any) forms.push({index: index, action: form.getAttribute("action") || "", values: values});
    });
    try {
      if (forms.length) sessionStorage.setItem(DRAFT, JSON.stringify({at: Date.now(), forms: forms}));
    } catch (e) { /* storage full or disabled: nothing more can be kept */ }
  }

  function restoreDrafts() {
    var raw;
    try { raw = sessionStorage.getItem(DRAFT); } catch (e) { return; }
    if (!raw) return;
    // Only on the page the user comes back to after signing in again; then forget it.
    if (document.getElementById("session-guard") === null) return;
    sessionStorage.removeItem(DRAFT);
    var saved = JSON.parse(raw);
    var forms = document.querySelectorAll("form[method='post'], form[method='POST']");
    var restored = 0;
    saved.forms.forEach(function (entry) {
      var form = forms[entry.index];
      if (!form || (form.getAttribute("action") || "") !== entry.action) return;
      fieldsOf(form).forEach(function (el) {
        if (Object.prototype.hasOwnProperty.call(entry.values, el.name) && (!el.value || el.value === el.defaultValue)) {
          el.value = entry.values[el.name]; restored += 1;
        }
      });
    });
    if (restored) {
      var note = document.createElement("div");
      note.className = "alert alert-info";
      note.setAttribute("role", "status");
      note.setAttribute("data-testid", "draft-restored");
      note.textContent = "已恢复您退出前未提交的内容，请核对后再提交。";
      var main = document.getElementById("main");
      if (main) main.insertBefore(note, main.firstChild);
    }
  }

  var guard = document.getElementById("session-guard");
  restoreDrafts();
  if (!guard) return;

  var idleMs = Number(guard.dataset.idleSeconds) * 1000;
  var endsAt = Number(guard.dataset.endsAt) * 1000;
  var warnMs = 60 * 1000;
  var lastContact = Date.now();
  var banner = null;

  function deadline() { return Math.min(lastContact + idleMs, endsAt); }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  var expiring = false;
  function expire() {
    // Once: the timer ticks every second, and a second reload while the first is on its way (a slow
    // server or line) aborts it; the server has then ended the session and the answer that carried
    // "由于长时间未操作…" is lost, so the sign-in page would not say why.
    if (expiring) return;
    expiring = true;
    saveDrafts();
    // Load this page again: the server has ended the session and answers with the sign-in page,
    // which brings the user back here afterwards (drafts restored).
    location.reload();
  }

  function hideWarning() { if (banner) { banner.remove(); banner = null; } }

  function showWarning(left) {
    var idle = lastContact + idleMs <= endsAt;
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "alert alert-warning shadow session-warning d-flex flex-wrap gap-2 align-items-center";
      banner.setAttribute("role", "alertdialog");
      banner.setAttribute("data-testid", "session-warning");
      var text = document.createElement("span");
      text.className = "me-auto";
      banner.appendChild(text);
      if (idle) {
        var keep = document.createElement("button");
        keep.type = "button";
        keep.className = "btn btn-sm btn-primary";
        keep.textContent = "继续使用";
        keep.addEventListener("click", keepAlive);
        banner.appendChild(keep);
      }
      document.body.appendChild(banner);
    }
    var seconds = Math.max(0, Math.ceil(left / 1000));
    banner.firstChild.textContent = (idle ? "您已较长时间未操作，" : "本次登录即将达到最长时限，") + seconds +
      " 秒后将自动退出。未提交的内容会保存在本浏览器中，重新登录后恢复。";
  }

  function keepAlive() {
    fetch(guard.dataset.pingUrl, {method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrfToken()}, redirect: "manual"})
      .then(function (r) { if (r.status === 204) { lastContact = Date.now(); hideWarning(); } else { expire(); } })
      .catch(function () { /* offline: the timer keeps counting */ });
  }

  function tick() {
    var left = deadline() - Date.now();
    if (left <= -2000) { expire(); return; }
    if (left <= warnMs) showWarning(left); else hideWarning();
  }

  // Any request the page makes (htmx) counts as use, as it does on the server.
  document.body.addEventListener("htmx:afterRequest", function () { lastContact = Date.now(); tick(); });
  // A form sent after the session ended would be lost at the sign-in page: keep its text first.
  document.addEventListener("submit", function (event) {
    if (Date.now() > deadline()) { event.preventDefault(); expire(); }
  }, true);
  document.addEventListener("visibilitychange", tick);
  window.setInterval(tick, 1000);
})();

/* Irreversible steps (staff/confirm.py): a form with data-confirm asks first, saying what will happen.
   data-confirm-field / data-confirm-values: ask only when that field has one of those values. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.dataset || !form.dataset.confirm) return;
    var field = form.dataset.confirmField;
    if (field) {
      var values = (form.dataset.confirmValues || "").split(",");
      var chosen = form.querySelector("[name='" + field + "']:checked") || form.querySelector("select[name='" + field + "']");
      if (!chosen || values.indexOf(chosen.value) < 0) return;
    }
    if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); event.stopImmediatePropagation(); }
  }, true);

  /* A form's fields shown only for some values of another field (data-when-field / data-when-values on
     the field's wrapper): the screening outcome, the review decision. Without script all are shown. */
  function applyWhen(form) {
    form.querySelectorAll("[data-when-field]").forEach(function (box) {
      var name = box.dataset.whenField;
      var chosen = form.querySelector("[name='" + name + "']:checked") || form.querySelector("select[name='" + name + "']");
      var show = chosen && box.dataset.whenValues.split(",").indexOf(chosen.value) >= 0;
      box.hidden = !show;
      // A hidden field is not sent: what the user typed for another outcome does not reach the case.
      box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
    });
  }
  /* Folded on a phone, open on a wide screen: the list's further filters. */
  if (window.matchMedia && window.matchMedia("(min-width: 768px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach(function (box) { box.open = true; });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-when-field]")) return;
    applyWhen(form);
    form.addEventListener("change", function () { applyWhen(form); });
  });

  /* One post per tap: a form posted the usual way (not by htmx, not cancelled by a confirm) has its
     buttons disabled until the answer comes, and says so; a double tap on a slow line sent it twice
     (two petitions, or an error about the first one). The server is the guard (the portal's one-time
     token, the version of a case); this spares the second request. Re-enabled when the page comes
     back from the browser's history. The attribute, not form.method: a field named "method" (反馈方式,
     联系方式) stands in a form's properties in place of its own, and the guard threw on those forms. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || !form.getAttribute) return;
    if ((form.getAttribute("method") || "").toLowerCase() !== "post" || form.hasAttribute("hx-post")) return;
    var pressed = event.submitter;
    // A new CAPTCHA image, or a download (the page stays: nothing would unlock it).
    if (pressed && (pressed.name === "captcha_refresh" || pressed.hasAttribute("data-no-lock"))) return;
    window.setTimeout(function () {  // after the browser took the pressed button's name and value
      form.querySelectorAll("button[type=submit]:not([disabled]), input[type=submit]:not([disabled])").forEach(function (button) {
        button.disabled = true;
        button.dataset.locked = "1";
        if (button === pressed && button.tagName === "BUTTON" && !button.dataset.label) {
          button.dataset.label = button.textContent;
          button.textContent = "正在提交…";
        }
      });
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form [data-locked]").forEach(function (button) {
      button.disabled = false;
      delete button.dataset.locked;
      if (button.dataset.label) { button.textContent = button.dataset.label; delete button.dataset.label; }
    });
  });

  /* The portal's files, checked as they are chosen (the server checks again). A JPEG or PNG photo over
     data-shrink-bytes (2 MB: a phone camera's photo is 3–20 MB, minutes over a herder's slow line,
     and over the limit it would be refused) is made smaller here before it is sent: drawn upright at
     most PHOTO_EDGE pixels on its long side and kept as a JPEG, which also leaves its metadata (the
     place it was taken) behind; the smaller file is kept only when it is smaller. What still cannot
     be sent is named, and the form is not sent until it is changed. (HEIC and WebP photos are taken
     as they are: the server keeps them as JPEG or PNG.) */
  var PHOTO_EDGE = 2560;

  function smaller(file, max) {
    if (!/^image\/(jpeg|png)$/.test(file.type) || !window.createImageBitmap || !window.DataTransfer) {
      return Promise.resolve(null);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";  // a PNG's transparency becomes white, as a JPEG cannot keep it
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size || (max && blob.size > max)) { resolve(null); return; }
          resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }));
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return null; });
  }

  function checkFiles(input) {
    var box = document.getElementById("files-check");
    var max = parseInt(input.dataset.maxBytes, 10), most = parseInt(input.dataset.maxFiles || "0", 10);
    var over = parseInt(input.dataset.shrinkBytes || "0", 10) || max;
    var files = Array.prototype.slice.call(input.files || []);
    input.dataset.busy = "1";
    if (box) { box.textContent = "正在处理所选照片…"; box.hidden = false; box.className = "form-text"; }
    return Promise.all(files.map(function (file) {
      return over && file.size > over ? smaller(file, max).then(function (made) { return made || file; }) : file;
    })).then(function (kept) {
      var problems = [], shrunk = kept.some(function (file, i) { return file !== files[i]; });
      if (shrunk) {
        var transfer = new DataTransfer();
        kept.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
      }
      kept.forEach(function (file) {
        if (max && file.size > max) {
          problems.push("“" + file.name + "”有" + (file.size / 1048576).toFixed(1) + "MB，超过" + Math.round(max / 1048576) + "MB，请换一张较小的照片或文件");
        }
      });
      if (most && kept.length > most) problems.push("最多选择" + most + "个附件");
      var notes = shrunk && !problems.length ? "较大的照片已自动缩小后再上传" : "";
      delete input.dataset.busy;
      if (box) {
        box.textContent = problems.join("；") || notes;
        box.hidden = !(problems.length || notes);
        box.className = problems.length ? "invalid-feedback d-block" : "form-text text-success";
      }
      input.classList.toggle("is-invalid", problems.length > 0);
      // What this check refused (not the page's own mark of files dropped from a refused form, which
      // asks to choose them again and must not keep the form from being sent without them).
      if (problems.length) input.dataset.refused = "1"; else delete input.dataset.refused;
      return problems;
    });
  }

  document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
    input.addEventListener("change", function () { checkFiles(input); });
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        // Not sent while a photo is being made smaller, or one the server would refuse is chosen.
        if (input.dataset.busy || input.dataset.refused) {
          event.preventDefault();
          event.stopImmediatePropagation();
          input.focus();
        }
      }, true);
    }
  });

  /* Copy buttons (data-copy="text"): the query code and the number, in one tap. The clipboard API
     needs a secure page; elsewhere (an old browser, plain HTTP) a selected hidden text is copied. */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      area.remove();
      if (done) resolve(); else reject(new Error("copy"));
    });
  }
  var canCopy = !!(navigator.clipboard && window.isSecureContext) ||
    !!(document.queryCommandSupported && document.queryCommandSupported("copy"));
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    copyText(button.dataset.copy).then(function () {
      var label = button.dataset.label || button.textContent;
      button.dataset.label = label;
      button.textContent = "已复制";
      window.setTimeout(function () { button.textContent = label; }, 2000);
    }, function () { /* the number stays on the page to copy by hand (user-select-all) */ });
  });

  /* What works only with this script (copy buttons, closing a message) is in the page hidden and
     shown here, so a browser without script never offers a button that does nothing. */
  document.querySelectorAll("[data-js-only]").forEach(function (el) {
    if (el.hasAttribute("data-copy") && !canCopy) return;
    el.hidden = false;
  });
})();
