import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { svgToPng } from '../plot/render';
import { SummaryWriter } from '../tensorboard/summary-writer';
import { buildRunReport, writeRunReport } from './run-report';

let logDir: string;
let run: string;
beforeEach(() => {
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  run = path.join(logDir, 'paper', 'exp', '2026-01-01T00-00-00Z');
  fs.mkdirSync(run, { recursive: true });
  fs.writeFileSync(path.join(run, 'config.yaml'), 'seed: 7\nmodel:\n  name: "<vit>"\n');
  fs.writeFileSync(
    path.join(run, 'metrics.json'),
    JSON.stringify([0, 1, 2].map((epoch) => ({ epoch, train_loss: 2 - epoch / 2, val_loss: 2.25 - epoch / 2 }))),
  );
  fs.writeFileSync(
    path.join(run, 'tsne.png'),
    svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="3" height="2"/>'),
  );
});
afterEach(() => fs.rmSync(logDir, { recursive: true, force: true }));

const dataUris = (html: string) => [...html.matchAll(/src="(data:image\/png;base64,[^"]+)"/g)].map((m) => m[1]);

describe('buildRunReport', () => {
  it('holds the config, the curves as inline SVG, the final metrics and the images as data: URIs, and no URL', () => {
    fs.writeFileSync(path.join(run, 'results.json'), JSON.stringify({ test_acc: 0.8765432, best_epoch: 2 }));
    const writer = new SummaryWriter(path.join(run, 'tensorboard'));
    writer.addImage('reconstructions', { data: new Uint8Array(4).fill(200), width: 2, height: 2, channels: 1 }, 4);
    writer.close();
    const html = buildRunReport(run, { logDir });
    expect(html).toContain('<h1>paper / exp / 2026-01-01T00-00-00Z</h1>');
    expect(html).toContain('<span>test_acc</span> <b>0.87654</b>');
    expect(html).toContain('name: &quot;&lt;vit&gt;&quot;'); // the config, escaped
    const curves = /<div id="curves">(<svg[\s\S]*?<\/svg>)<\/div>/.exec(html)![1];
    expect(curves.match(/aria-roledescription="line mark"/g)).toHaveLength(2);
    expect(curves).toContain('aria-label="epoch: 2; loss: 1.25; series: val_loss"');
    const images = dataUris(html);
    expect(images).toHaveLength(2);
    expect(Buffer.from(images[0].split(',')[1], 'base64')).toEqual(fs.readFileSync(path.join(run, 'tsne.png')));
    expect(html).toContain('reconstructions (step 4)');
    // Nothing to fetch: no http(s) URL outside the SVG namespace declarations.
    expect(html.replace(/xmlns(:xlink)?="http:\/\/www\.w3\.org\/[^"]+"/g, '')).not.toMatch(/https?:\/\//);
  });

  it('draws the confusion matrix of results.json, else shows a confusion PNG', () => {
    fs.writeFileSync(
      path.join(run, 'results.json'),
      JSON.stringify({
        confusion_matrix: [
          [3, 1],
          [0, 4],
        ],
        class_names: ['cat', 'dog'],
      }),
    );
    const html = buildRunReport(run, { logDir });
    const confusion = /<div id="confusion">([\s\S]*?)<\/div>/.exec(html)![1];
    expect(confusion).toContain('aria-label="Predicted label: dog; True label: cat; value: 1"');
    fs.writeFileSync(path.join(run, 'results.json'), '{}');
    fs.copyFileSync(path.join(run, 'tsne.png'), path.join(run, 'confusion_test.png'));
    expect(
      /<div id="confusion"><img alt="confusion_test.png" src="data:image\/png;base64,/.test(
        buildRunReport(run, { logDir }),
      ),
    ).toBe(true);
  });

  it('writes report.html into the run folder and refuses a missing folder', () => {
    expect(writeRunReport(run, { logDir })).toBe(path.join(run, 'report.html'));
    expect(fs.readFileSync(path.join(run, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(() => buildRunReport(path.join(logDir, 'nope'))).toThrow(/run folder .*nope does not exist/);
  });
});
