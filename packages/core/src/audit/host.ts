import { arch, hostname, platform, release, userInfo } from 'node:os';

export interface HostFacts {
  hostname: string;
  platform: string;
  release: string;
  arch: string;
  node: string;
  user: string;
}

/** The machine and account running the tool, for the audit log and the reports. */
export function hostFacts(): HostFacts {
  return { hostname: hostname(), platform: platform(), release: release(), arch: arch(), node: process.version, user: safeUser() };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? '';
  }
}
