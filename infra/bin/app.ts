// `cdk synth` / `cdk deploy` entry (see cdk.json).
import { App } from 'aws-cdk-lib';
import { defineStacks } from '../lib/app.js';

const app = new App();
defineStacks(app);
app.synth();
