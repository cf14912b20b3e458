// Package entry and jsii assembly root: the CDK construct only. The SDK is `whiplash-vector-store/client`,
// local mode `whiplash-vector-store/local` (TypeScript/JavaScript only, outside the jsii assembly).
export * from './construct/roles';
export * from './construct/props';
export * from './construct/store-base';
export * from './construct/vector-store';
