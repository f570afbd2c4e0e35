/** The console's one style sheet: large type and targets for a phone at night, no sideways scroll, printable reports. */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:17px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#111;background:#fff;overflow-wrap:anywhere}
main{max-width:60rem;margin:0 auto;padding:0 .9rem 3rem}
header{background:#102a43;color:#fff}
nav{max-width:60rem;margin:0 auto;padding:.4rem .9rem;display:flex;flex-wrap:wrap;gap:.3rem 1rem;align-items:center;justify-content:space-between}
.nav{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem .9rem}
.nav a{color:#fff;display:inline-block;padding:.45rem 0}
.nav a[aria-current=page]{font-weight:700;text-decoration-thickness:3px}
.signout{color:#fff;display:flex;gap:.5rem;align-items:center}
.signout .link{color:#fff;background:none;border:1px solid #fff;padding:.3rem .6rem;font-size:.95rem;min-height:2.2rem}
.skip{position:absolute;left:-999px}.skip:focus{left:.5rem;top:.5rem;background:#fff;color:#000;padding:.5rem;z-index:9}
h1{font-size:1.45rem;margin:1rem 0 .6rem}h2{font-size:1.2rem;margin:1.4rem 0 .5rem}
a{color:#0645ad}
:focus-visible{outline:3px solid #c05600;outline-offset:2px}
button,.button{font:inherit;font-weight:600;background:#0b5394;color:#fff;border:0;border-radius:6px;padding:.55rem 1rem;min-height:2.75rem;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#0b5394;border:2px solid #0b5394}
button.danger{background:#a61b1b}
input,select,textarea{font:inherit;padding:.45rem;border:1px solid #555;border-radius:4px;max-width:100%}
textarea{width:100%}
label{display:block;font-weight:600;margin:.4rem 0 .15rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}
.filters label{margin:0}
.cards{list-style:none;padding:0;margin:0}
.card{border:1px solid #bbb;border-left:6px solid #666;border-radius:6px;padding:.6rem .8rem;margin:.6rem 0}
.sev-critical{border-left-color:#a61b1b}.sev-high{border-left-color:#c05600}.sev-medium{border-left-color:#7a5c00}.sev-low{border-left-color:#2d6a4f}
.card h2,.card h3{font-size:1.05rem;margin:0 0 .3rem}
.meta{display:flex;flex-wrap:wrap;gap:.2rem .9rem;margin:0;padding:0;list-style:none;color:#333}
.badge{font-weight:700;text-transform:uppercase;font-size:.85rem}
.badge.drill{background:#5b2a86;color:#fff;padding:0 .35em;border-radius:3px}
.overdue{color:#a61b1b;font-weight:700}
.refusal{border:2px solid #a61b1b;background:#fff4f4;padding:.6rem .8rem;border-radius:6px;margin:.8rem 0}
.notice{border:2px solid #2d6a4f;background:#f1faf5;padding:.6rem .8rem;border-radius:6px;margin:.8rem 0}
.rule{display:block}
table{border-collapse:collapse;width:100%;margin:.4rem 0;font-size:.92rem}
th,td{text-align:left;padding:.35rem .3rem;border-bottom:1px solid #ccc;vertical-align:top;overflow-wrap:normal}
.scroll{overflow-x:auto;max-width:100%}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
.actions form{margin:0}
details{margin:.3rem 0}
pre{white-space:pre-wrap;background:#f4f4f4;padding:.5rem;border-radius:4px;font-size:.9rem}
.chart{width:100%;height:auto;max-width:44rem}
.muted{color:#444}
@media print{header,.filters,.actions,.no-print,.skip{display:none!important}body{font-size:12pt}a{color:#000}}
`;

/**
 * The console's one script (progressive enhancement: every page works without it): the open-incidents list refreshes
 * itself every few seconds, and countdowns to deadlines tick.
 */
export const CONSOLE_JS = `
(function(){
  function ago(ms){var m=Math.round(Math.abs(ms)/60000);if(m<60)return m+' min';var h=Math.floor(m/60);return h+' h '+(m%60)+' min'}
  function tick(){
    document.querySelectorAll('time[data-due]').forEach(function(t){
      var left=Date.parse(t.getAttribute('datetime'))-Date.now();
      t.textContent=left>=0?'in '+ago(left):ago(left)+' overdue';
      t.classList.toggle('overdue',left<0);
    });
  }
  function refresh(){
    var live=document.querySelector('[data-refresh]');
    if(!live)return;
    fetch(live.getAttribute('data-refresh'),{credentials:'same-origin',headers:{accept:'text/html'}})
      .then(function(r){return r.ok?r.text():null})
      .then(function(t){if(t!==null&&t!==live.innerHTML){live.innerHTML=t;tick()}})
      .catch(function(){});
  }
  document.addEventListener('DOMContentLoaded',function(){
    tick();setInterval(tick,15000);
    if(document.querySelector('[data-refresh]'))setInterval(refresh,4000);
  });
})();
`;
