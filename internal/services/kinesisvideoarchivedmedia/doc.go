// Package kinesisvideoarchivedmedia serves Amazon Kinesis Video Streams Archived Media. No
// operation is implemented yet: every operation answers NotImplemented.
package kinesisvideoarchivedmedia
