(async () => {
  const status = document.getElementById('figure-status');
  try {
    const text = document.getElementById('plotly-gz').textContent.trim();
    const bytes = Uint8Array.from(atob(text), c => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    const code = await new Response(stream).text();
    const script = document.createElement('script');
    script.textContent = code;
    document.head.appendChild(script);
    for (const element of document.querySelectorAll('div.figure')) {
      const spec = JSON.parse(document.getElementById(element.dataset.spec).textContent);
      await Plotly.newPlot(element, spec.data, spec.layout,
                           {displaylogo: false, responsive: true});
    }
    status.textContent = '';
    document.body.dataset.figures = 'ready';
  } catch (error) {
    status.textContent = 'The figures need a browser that can unpack gzip ' +
      '(DecompressionStream: Chrome 80+, Firefox 113+, Safari 16.4+); the tables hold the numbers.';
    document.body.dataset.figures = 'failed';
  }
})();
