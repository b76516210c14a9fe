/** One jest run for the whole repository: unit tests beside the code, integration tests in server/test. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/server"],
  testMatch: ["**/*.test.ts"],
  // Transpile only (no type-check per test file: `npm run build` type-checks); keeps decorator metadata.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.json", isolatedModules: true, diagnostics: false }] },
  setupFiles: ["reflect-metadata"],
  testTimeout: 30000,
  // Integration tests share the machine's MariaDB and Redis; two workers keep the 2-core box responsive.
  maxWorkers: 2,
};
