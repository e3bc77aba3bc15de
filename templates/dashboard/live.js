(function(){
var view=document.getElementById('view'),server=document.getElementById('server-link'),got=Date.now();
function two(n){return(n<10?'0':'')+n}
function dur(s){var d=Math.floor(s/86400);s-=d*86400;return(d?d+'d ':'')+two(Math.floor(s/3600))+':'+two(Math.floor(s%3600/60))+':'+two(s%60)}
function tick(){var gone=Math.floor((Date.now()-got)/1000),els=document.querySelectorAll('[data-left]');
for(var i=0;i<els.length;i++){var l=parseInt(els[i].getAttribute('data-left'),10)-gone;
els[i].textContent=l>=0?dur(l)+' left':'ended '+dur(-l)+' ago'}}
if(window.EventSource){var es=new EventSource(document.body.getAttribute('data-stream'));
es.onmessage=function(e){var m=JSON.parse(e.data);view.innerHTML=m.html;got=Date.now();
document.body.setAttribute('data-version',m.version);server.hidden=true;tick()};
es.onerror=function(){server.hidden=false;server.textContent='dashboard server unreachable: reconnecting…'}}
setInterval(tick,1000)})();
