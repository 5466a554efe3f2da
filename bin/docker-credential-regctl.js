#!/usr/bin/env node
import { main } from '../dist/credential-helper.js';
await main();
