// What a trusted document's id saves against the same document sent in full (bench/trusted-documents.ts).
import { describeTrustedDocuments, measureTrustedDocuments } from '../trusted-documents.js';
import type { Phase } from './bench.js';

export const trustedDocuments: Phase = {
  title: 'trusted documents: server CPU per op by id vs in full, ours against the stub in TRUSTED_DOCUMENTS=log',
  async run(b) {
    if (!b.selected('trusted-documents')) return b.log('not selected by --only: skipped');
    b.trustedDocuments = await measureTrustedDocuments({ endpoint: b.stubEndpoint!, quick: b.quick, logDir: b.logDir, cpus: b.serverCpus });
    b.log(describeTrustedDocuments(b.trustedDocuments));
  },
};
