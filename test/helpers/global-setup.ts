// Starts one DynamoDB Local in memory for the test run and stops it afterwards.
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../src/ops/local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export default async function setup(project: TestProject) {
  const local = await startDynamoLocal();
  project.provide('dynamoEndpoint', local.endpoint);
  return async () => {
    await local.stop();
  };
}
