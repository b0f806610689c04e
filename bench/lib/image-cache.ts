/** Benchmark images are kept between runs and made again only when their options or the generator changed. */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DEFAULT_MIX, GENERATOR_VERSION, describeLayout, formatMix, generateImage, type BenchLayout, type GenerateOptions } from '../gen-image.js';

export function imageName(size: string, opts: Omit<GenerateOptions, 'out' | 'size'>, defaultMediaDir: string): string {
  const parts = ['bench', size, opts.density, (opts.types ?? ['all']).join('+'), `s${opts.seed}`];
  if (opts.mediaDir !== defaultMediaDir) parts.push(basename(opts.mediaDir));
  if (opts.mix && formatMix(opts.mix) !== formatMix(DEFAULT_MIX)) parts.push(`mix${opts.mix.zero}-${opts.mix.ff}-${opts.mix.random}`);
  return `${parts.join('-')}.img`;
}

function matches(layout: BenchLayout, opts: GenerateOptions): boolean {
  return (
    layout.generator === GENERATOR_VERSION &&
    layout.size === opts.size &&
    layout.density === opts.density &&
    layout.seed === opts.seed &&
    layout.mediaDir === opts.mediaDir &&
    formatMix(layout.mix) === formatMix(opts.mix ?? DEFAULT_MIX) &&
    (layout.types ?? []).join(',') === (opts.types ?? []).join(',')
  );
}

/** The image at opts.out, generated unless an up-to-date one is there. */
export function ensureImage(opts: GenerateOptions): BenchLayout {
  const layoutPath = `${opts.out}.layout.json`;
  if (existsSync(opts.out) && existsSync(layoutPath)) {
    const layout = JSON.parse(readFileSync(layoutPath, 'utf8')) as BenchLayout;
    if (matches(layout, opts)) {
      console.error(`reusing ${opts.out} (${describeLayout(layout)})`);
      return layout;
    }
  }
  const t0 = performance.now();
  const layout = generateImage(opts);
  console.error(`generated ${opts.out} in ${((performance.now() - t0) / 1000).toFixed(1)} s (${describeLayout(layout)})`);
  return layout;
}

export function imagePath(dir: string, size: string, opts: Omit<GenerateOptions, 'out' | 'size'>, defaultMediaDir: string): string {
  return join(dir, imageName(size, opts, defaultMediaDir));
}
