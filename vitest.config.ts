import { defineConfig } from 'vitest/config';

// One test run over every package. Tests import sibling packages through their
// built `dist/` (npm workspaces + package exports), so `npm test` builds first.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test-images/src/**/*.test.ts', 'bench/**/*.test.ts', 'examples/*/{src,test}/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
