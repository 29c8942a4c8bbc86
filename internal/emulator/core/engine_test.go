package core

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecodeAWSChunked(t *testing.T) {
	body := "5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"
	got, err := decodeAWSChunked([]byte(body))
	require.NoError(t, err)
	require.Equal(t, "hello world", string(got))
	_, err = decodeAWSChunked([]byte("zz\r\n"))
	require.Error(t, err)
}
