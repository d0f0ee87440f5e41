// gravity-vit: multi-view ViT with cross-attention fusion for LIGO glitch classification (Gravity Spy).
export * from './data';
export * from './models';
export * from './training';
export * from './synthetic';
export * from './config';
export * from './build';
export { createGravityExperiment, type GravityExperiment } from './experiment';
export { gravityVitApp } from './app';
