/**
 * The strict payload reader the built-in executors parse their JSON with: unknown fields and trailing content
 * are refused, naming the field.
 */
package dev.ferry.support.payload;
