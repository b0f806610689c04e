/**
 * The script of report.html, type-checked here and embedded in the page as
 * its source text (`galleryApp.toString()`): it must not refer to anything
 * outside its own body. It reads the embedded JSON, and renders one page of
 * cards at a time (10 000 files load as fast as 100), filtered by type,
 * status and camera, sorted by offset or by date taken (a timeline with a
 * heading per month). Text from the evidence (camera names, notes) only ever
 * goes into textContent and attributes, never into HTML.
 */
import type { GalleryData, GalleryFile } from './data.js';

export function galleryApp(): void {
  (window as unknown as { galleryStartedAt: number }).galleryStartedAt = performance.now();
  const dataEl = document.getElementById('gallery-data');
  const data = JSON.parse(dataEl?.textContent ?? '{}') as GalleryData;
  const files = data.files;

  type Item = { files: number[]; key: number };
  const state = { type: '', status: '', camera: '', sort: 'offset', q: '', page: 0, pageSize: 100 };

  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmtBytes = (n: number): string => {
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) {
      n /= 1024;
      i++;
    }
    return `${n.toFixed(i === 0 ? 0 : 1)} ${u[i]}`;
  };
  const hex = (n: number): string => `0x${n.toString(16)}`;
  /** "Canon PowerShot S95", "NIKON D90" (make NIKON CORPORATION), "Apple iPhone 12": the model alone when it names the maker. */
  const camera = (f: GalleryFile): string => {
    if (!f.model) return f.make ?? '';
    const maker = (f.make ?? '').split(/\s+/)[0]!.toLowerCase();
    return !maker || f.model.toLowerCase().startsWith(maker) ? f.model : `${f.make} ${f.model}`;
  };
  const statusText = (f: GalleryFile): string =>
    f.status === 'rebuilt' ? `rebuilt from ${f.fragments} fragments` : f.status === 'truncated' ? `truncated (${Math.round(f.validFraction * 100)}% valid)` : f.status;
  const clock = (s: number): string => {
    const t = Math.round(s);
    const h = Math.floor(t / 3600);
    const m = Math.floor((t % 3600) / 60);
    const ss = String(t % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  };
  const takenText = (f: GalleryFile): string => (f.taken ? f.taken.replace('T', ' ') : 'no date');

  // ---- header facts ----
  $('src-path').textContent = data.source.path;
  $('src-size').textContent = `${fmtBytes(data.source.size)} (${data.source.size} bytes, ${data.source.kind})`;
  $('src-md5').textContent = data.source.md5 ?? 'not computed';
  $('src-sha256').textContent = data.source.sha256 ?? 'not computed';
  $('run-time').textContent = `${data.startedAt} → ${data.finishedAt} (${data.tool.name} ${data.tool.version})`;
  const facts: string[] = [`${files.length} files`, `${data.summary.duplicates} duplicate copies`, `${data.live.length} Live Photo pairs`, `${data.summary.issues} issues`];
  if (data.reportOnly) facts.push('report only: no files were written');
  const fl = data.summary.filtered;
  if (fl && fl.bySize + fl.byPixels + fl.byDate > 0) facts.push(`${fl.bySize + fl.byPixels + fl.byDate} not written by filters`);
  $('run-facts').textContent = facts.join(' · ');
  if (data.filtered.length > 0) {
    const box = $('filtered');
    box.hidden = false;
    $('filtered-count').textContent = String(data.filtered.length);
    let shown = false;
    box.addEventListener('toggle', () => {
      if (shown) return;
      shown = true;
      const body = $('filtered-rows');
      for (const f of data.filtered.slice(0, 2000)) {
        const tr = el('tr');
        for (const v of [f.type, `${f.offset} (${hex(f.offset)})`, fmtBytes(f.size), f.reason, f.detail]) tr.append(el('td', '', v));
        body.append(tr);
      }
      if (data.filtered.length > 2000) $('filtered-more').textContent = `… and ${data.filtered.length - 2000} more in report.json "filtered"`;
    });
  }

  // ---- filter choices ----
  const fill = (sel: HTMLSelectElement, values: Map<string, number>, label: (v: string) => string): void => {
    for (const [v, n] of [...values].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const o = el('option', '', `${label(v)} (${n})`);
      o.value = v;
      sel.append(o);
    }
  };
  const count = (key: (f: GalleryFile) => string): Map<string, number> => {
    const m = new Map<string, number>();
    for (const f of files) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
    return m;
  };
  fill($('f-type'), count((f) => f.type), (v) => v.toUpperCase());
  fill($('f-status'), count((f) => f.status), (v) => v);
  fill($('f-camera'), count((f) => camera(f) || '(unknown camera)'), (v) => v);

  // ---- live photo partners: a video is drawn beside its still ----
  const partnerVideos = (i: number): number[] => {
    const k = files[i]!.live;
    if (k === null) return [];
    const p = data.live[k]!;
    return p.stills[0] === i ? p.videos : [];
  };
  const isPairedVideo = (i: number): boolean => {
    const k = files[i]!.live;
    if (k === null) return false;
    const p = data.live[k]!;
    return p.videos.includes(i) && p.stills.length > 0;
  };

  const matches = (f: GalleryFile): boolean =>
    (!state.type || f.type === state.type) &&
    (!state.status || f.status === state.status) &&
    (!state.camera || (camera(f) || '(unknown camera)') === state.camera) &&
    (!state.q || f.path.includes(state.q) || (f.fsName ?? '').toLowerCase().includes(state.q.toLowerCase()) || String(f.offset) === state.q || hex(f.offset) === state.q.toLowerCase());

  const items = (): { items: Item[]; files: number } => {
    const visible = new Set<number>();
    files.forEach((f, i) => {
      if (matches(f)) visible.add(i);
    });
    const out: Item[] = [];
    for (const i of visible) {
      const still = files[i]!.live !== null ? data.live[files[i]!.live!]!.stills[0] : undefined;
      if (isPairedVideo(i) && still !== undefined && visible.has(still)) continue; // drawn with its still
      out.push({ files: [i, ...partnerVideos(i).filter((v) => visible.has(v))], key: i });
    }
    if (state.sort === 'date') {
      out.sort((a, b) => {
        const x = files[a.key]!.taken;
        const y = files[b.key]!.taken;
        if (x === y) return files[a.key]!.offset - files[b.key]!.offset;
        if (x === null) return 1;
        if (y === null) return -1;
        return x < y ? -1 : 1;
      });
    }
    return { items: out, files: visible.size };
  };

  const dialog = $<HTMLDialogElement>('details');
  const showDetails = (i: number): void => {
    const f = files[i]!;
    $('d-title').textContent = `${f.type.toUpperCase()} at image offset ${f.offset} (${hex(f.offset)})`;
    const dl = $('d-facts');
    dl.replaceChildren();
    const row = (k: string, v: string | Node): void => {
      dl.append(el('dt', '', k));
      const dd = el('dd');
      dd.append(v);
      dl.append(dd);
    };
    if (f.written) {
      const a = el('a', '', f.path);
      a.href = f.path;
      row('file', a);
    } else row('file', `${f.path} (not written: report only)`);
    if (f.fsName) row('file system name', `${f.fsName}${f.fsDeleted ? ' (deleted entry)' : ''}`);
    row('status', statusText(f));
    row('size', `${fmtBytes(f.size)} (${f.size} bytes)`);
    row('camera', camera(f) || 'unknown');
    row('date taken', f.takenRaw ?? 'none in the metadata');
    if (f.lat !== null && f.lon !== null) row('GPS', `${f.lat.toFixed(6)}, ${f.lon.toFixed(6)}`);
    if (f.width && f.height) row('pixels', `${f.width} × ${f.height}`);
    if (f.duration !== null) row('duration', `${clock(f.duration)}${f.codec ? ` · ${f.codec}` : ''}`);
    row('SHA-256', f.sha256);
    row('MD5', f.md5);
    row('byte runs', f.runs.map(([o, n]) => `${o}+${n}`).join(', ') + (f.moreRuns > 0 ? ` … ${f.moreRuns} more` : ''));
    if (f.duplicates.length > 0) row('identical copies at', f.duplicates.map((d) => `${d} (${hex(d)})`).join(', '));
    if (f.live !== null) {
      const p = data.live[f.live]!;
      row('Live Photo', `${p.id}: ${[...p.stills, ...p.videos].map((k) => files[k]!.path).join(' + ')}`);
    }
    row('thumbnail', `${f.thumbKind ?? 'none'}${f.thumbError ? `: ${f.thumbError}` : ''}`);
    const notes = $('d-notes');
    notes.replaceChildren(...f.notes.map((n) => el('li', '', n)));
    if (typeof dialog.showModal === 'function') dialog.showModal();
  };
  $('d-close').addEventListener('click', () => dialog.close());

  const figure = (i: number): HTMLElement => {
    const f = files[i]!;
    const fig = el('figure', `file st-${f.status}`);
    fig.dataset['path'] = f.path;
    fig.dataset['offset'] = String(f.offset);
    const btn = el('button', 'thumb');
    btn.type = 'button';
    btn.title = 'details';
    const img = el('img');
    img.loading = 'lazy';
    img.decoding = 'async';
    img.width = f.thumbWidth;
    img.height = f.thumbHeight;
    img.alt = `${f.type} at offset ${f.offset}`;
    if (f.thumb) img.src = f.thumb;
    btn.append(img);
    if (f.duration !== null) btn.append(el('span', 'dur', clock(f.duration)));
    btn.addEventListener('click', () => showDetails(i));
    fig.append(btn);
    const cap = el('figcaption');
    const badges = el('div', 'badges');
    badges.append(el('span', `b t-${f.type}`, f.type.toUpperCase()), el('span', `b s-${f.status}`, statusText(f)));
    if (f.live !== null) badges.append(el('span', 'b live', 'Live Photo'));
    if (f.fsDeleted) badges.append(el('span', 'b del', 'deleted entry'));
    if (f.duplicates.length > 0) badges.append(el('span', 'b dup', `${f.duplicates.length + 1} identical copies`));
    if (f.thumbKind === 'embedded') badges.append(el('span', 'b emb', 'embedded preview'));
    cap.append(badges);
    const dl = el('dl');
    const add = (k: string, v: string): void => {
      dl.append(el('dt', '', k), el('dd', '', v));
    };
    if (f.fsName) add('name', f.fsName.split('/').pop() ?? f.fsName);
    add('offset', `${f.offset} (${hex(f.offset)})`);
    add('size', fmtBytes(f.size));
    add('camera', camera(f) || '—');
    add('taken', takenText(f));
    if (f.lat !== null && f.lon !== null) add('GPS', `${f.lat.toFixed(5)}, ${f.lon.toFixed(5)}`);
    cap.append(dl);
    fig.append(cap);
    return fig;
  };

  const grid = $('grid');
  const render = (): void => {
    const { items: all, files: nFiles } = items();
    const pages = Math.max(1, Math.ceil(all.length / state.pageSize));
    state.page = Math.min(state.page, pages - 1);
    const slice = all.slice(state.page * state.pageSize, (state.page + 1) * state.pageSize);
    const frag = document.createDocumentFragment();
    // The timeline: a heading per month taken (recovered pictures span years; the day is on each card).
    const monthOf = (it: Item): string | null => files[it.key]!.taken?.slice(0, 7) ?? null;
    const perMonth = new Map<string | null, number>();
    if (state.sort === 'date') for (const it of all) perMonth.set(monthOf(it), (perMonth.get(monthOf(it)) ?? 0) + it.files.length);
    let month: string | null | undefined;
    for (const it of slice) {
      if (state.sort === 'date') {
        const m = monthOf(it);
        if (m !== month) {
          month = m;
          const n = perMonth.get(m) ?? 0;
          frag.append(el('h2', 'day', `${m ?? 'no date taken'} · ${n} file${n === 1 ? '' : 's'}`));
        }
      }
      const card = el('article', it.files.length > 1 ? 'card pair' : 'card');
      for (const i of it.files) card.append(figure(i));
      frag.append(card);
    }
    grid.replaceChildren(frag);
    const first = all.length === 0 ? 0 : state.page * state.pageSize + 1;
    const counter = $('count');
    counter.dataset['files'] = String(nFiles);
    counter.dataset['items'] = String(all.length);
    counter.textContent = `${nFiles} of ${files.length} files · showing ${first}–${state.page * state.pageSize + slice.length} of ${all.length} cards`;
    $('page').textContent = `page ${state.page + 1} of ${pages}`;
    $<HTMLButtonElement>('prev').disabled = state.page === 0;
    $<HTMLButtonElement>('next').disabled = state.page >= pages - 1;
  };

  const bind = (id: string, key: 'type' | 'status' | 'camera' | 'sort' | 'q'): void => {
    const input = $<HTMLInputElement | HTMLSelectElement>(id);
    input.addEventListener(input instanceof HTMLInputElement ? 'input' : 'change', () => {
      state[key] = input.value.trim();
      state.page = 0;
      render();
    });
  };
  bind('f-type', 'type');
  bind('f-status', 'status');
  bind('f-camera', 'camera');
  bind('f-sort', 'sort');
  bind('f-q', 'q');
  $<HTMLSelectElement>('f-size').addEventListener('change', (e) => {
    state.pageSize = Number((e.target as HTMLSelectElement).value) || 100;
    state.page = 0;
    render();
  });
  $('prev').addEventListener('click', () => {
    state.page--;
    render();
    window.scrollTo(0, 0);
  });
  $('next').addEventListener('click', () => {
    state.page++;
    render();
    window.scrollTo(0, 0);
  });
  render();
  document.body.dataset['ready'] = '1';
  (window as unknown as { galleryRenderedAt: number }).galleryRenderedAt = performance.now();
}
