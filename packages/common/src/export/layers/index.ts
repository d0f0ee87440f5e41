// Registers the built-in converters: tfjs core and image layers, and common's transformer layers.
import './core';
import './conv';
import './transformer';
