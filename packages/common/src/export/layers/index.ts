// Registers the built-in converters: tfjs core and image layers, common's transformer layers, the zoo's torch layers.
import './core';
import './conv';
import './transformer';
import './torch';
