/** One jest run for the whole repository: unit tests beside the code, integration tests in server/test. */
const swc = [
  "@swc/jest",
  {
    jsc: {
      parser: { syntax: "typescript", decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: "es2022",
    },
    module: { type: "commonjs" },
  },
];

module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/server"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": swc },
  setupFiles: ["reflect-metadata"],
  testTimeout: 30000,
  // Integration tests share the machine's MariaDB and Redis; two workers keep the 2-core box responsive.
  maxWorkers: 2,
};
