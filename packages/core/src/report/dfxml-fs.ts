import { esc } from './dfxml-escape.js';
import type { FileRecord, FsSummary } from './types.js';

/**
 * DFXML's own elements for a carved file matched to a directory entry, in
 * the schema's order (after filesize): alloc or unalloc, then the entry's
 * mtime, atime and crtime. FAT stores no zone: the times are local, as the
 * device wrote them. The entry's path, name and the rest go in rc:fs.
 */
export function fsStandardElements(f: FileRecord): string[] {
  const o: string[] = [];
  if (f.allocation === 'allocated') o.push(`    <alloc>1</alloc>`);
  else if (f.allocation === 'unallocated') o.push(`    <unalloc>1</unalloc>`);
  const fs = f.fs;
  if (!fs) return o;
  const fat = !/[Z+-]\d\d:?\d\d$|Z$/.test(fs.modified ?? '') && !fs.modified?.includes('.');
  if (fs.modified) o.push(`    <mtime${fat ? ' prec="2"' : ''}>${esc(fs.modified)}</mtime>`);
  if (fs.accessed) o.push(fs.accessed.length === 10 ? `    <atime prec="86400">${esc(fs.accessed)}T00:00:00</atime>` : `    <atime>${esc(fs.accessed)}</atime>`);
  if (fs.created) o.push(`    <crtime>${esc(fs.created)}</crtime>`);
  return o;
}

/** rc:fs: the directory entry a carved file matches (names from the image: reports only). */
export function fsExtensionElement(f: FileRecord): string[] {
  const fs = f.fs;
  if (!fs) return [];
  const attrs =
    `path="${esc(fs.path)}" name="${esc(fs.name)}" short_name="${esc(fs.shortName)}" deleted="${fs.deleted}" lfn="${fs.lfn}" match="${fs.match}" ` +
    `entry_offset="${fs.entryOffset}" first_cluster="${fs.firstCluster}" size="${fs.size}" volume="${fs.volume}"` +
    (fs.fileOffset !== undefined ? ` file_offset="${fs.fileOffset}"` : '') +
    (fs.created ? ` created="${esc(fs.created)}"` : '') + (fs.modified ? ` modified="${esc(fs.modified)}"` : '') + (fs.accessed ? ` accessed="${esc(fs.accessed)}"` : '');
  return fs.note ? [`    <rc:fs ${attrs}>${esc(fs.note)}</rc:fs>`] : [`    <rc:fs ${attrs}/>`];
}

/** rc:filesystem: each FAT/exFAT volume found, with what was matched. */
export function fileSystemElements(list: readonly FsSummary[] | undefined, freeSpaceOnly: boolean): string[] {
  return (list ?? []).map(
    (v, i) =>
      `  <rc:filesystem index="${i}" type="${v.type}" scheme="${v.scheme}"${v.partitionIndex !== null ? ` partition="${v.partitionIndex}"` : ''} partition_offset="${v.partitionOffset}" ` +
      `cluster_size="${v.clusterSize}" clusters="${v.clusters}" allocated_clusters="${v.allocatedClusters}" data_start="${v.dataStart}" live_entries="${v.liveEntries}" ` +
      `deleted_entries="${v.deletedEntries}" matched="${v.matched}" matched_deleted="${v.matchedDeleted}" deleted_unmatched="${v.deletedUnmatched}" free_bytes="${v.freeBytes}"` +
      `${freeSpaceOnly ? ' free_space_only="true"' : ''}${v.label ? ` label="${esc(v.label)}"` : ''}/>`,
  );
}
