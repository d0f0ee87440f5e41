// Runs before each test file: tfjs in production mode (no "install tfjs-node" banner with a stack trace per file).
require('@tensorflow/tfjs').enableProdMode();
