/*
 * gz.c - compressed backups ("tool_executions.log.3.gz", as logrotate's
 * compress leaves them), read like any other backup.  Every reader of a
 * line preads its file at the entry's offset, so a compressed backup is
 * inflated once, as a stream through two small buffers, into an unlinked
 * temporary file ($TMPDIR, else /tmp) that stands for it in the
 * descriptor cache: the text sits in the kernel's page cache, never in
 * the process's memory, so a backup of any size costs a few hundred KiB
 * of it, and the readers need no second path.  The file goes when its
 * descriptor is closed.  Data that is cut or corrupt gives what came
 * before the fault, and says where it was.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "engine.h"
#include "engine-int.h"

#define GZ_IN	(256u << 10)
#define GZ_OUT	(256u << 10)
#define GZ_AUTO	(15 + 32)	/* windowBits: gzip or zlib header, told apart */

/* An unlinked temporary file ($TMPDIR, else /tmp), read and written. */
int
temp_file(void)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
#ifdef O_TMPFILE
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
#endif
	path = eng_xmalloc(strlen(dir) + sizeof "/llmlog-gz-XXXXXX");
	strcpy(path, dir);
	strcat(path, "/llmlog-gz-XXXXXX");
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	free(path);
	return fd;
}

bool
write_all(int fd, const unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Inflate zfd's members into out; 0, Z_BUF_ERROR when the data ends too
 * soon, another zlib error, or Z_ERRNO (errno set); *at: compressed bytes
 * consumed before the fault. */
static int
inflate_all(int zfd, int out, z_stream *z, unsigned char *in,
    unsigned char *obuf, uint64_t *at, uint64_t *text)
{
	uint64_t off = 0;
	int rc = Z_OK;

	for (;;) {
		if (z->avail_in == 0) {
			ssize_t r = pread(zfd, in, GZ_IN, (off_t)off);

			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return Z_ERRNO;
			if (r == 0)
				return rc == Z_STREAM_END ? 0 : Z_BUF_ERROR;
			off += (uint64_t)r;
			z->next_in = in;
			z->avail_in = (uInt)r;
		}
		if (rc == Z_STREAM_END) {
			/* another member follows (gzip -c a b > c) */
			if (inflateReset(z) != Z_OK)
				return Z_STREAM_ERROR;
		}
		z->next_out = obuf;
		z->avail_out = GZ_OUT;
		rc = inflate(z, Z_NO_FLUSH);
		*at = off - z->avail_in;
		if (!write_all(out, obuf, GZ_OUT - z->avail_out))
			return Z_ERRNO;
		*text += GZ_OUT - z->avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END &&
		    !(rc == Z_BUF_ERROR && z->avail_in == 0))
			return rc;
	}
}

int
gz_inflate(int zfd, uint64_t *text_size, char *why, size_t whylen)
{
	unsigned char *in, *obuf;
	uint64_t at = 0, text = 0;
	z_stream z;
	int out, rc, err;

	*text_size = 0;
	why[0] = '\0';
	if ((out = temp_file()) < 0)
		return -1;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, GZ_AUTO) != Z_OK) {
		close(out);
		errno = ENOMEM;
		return -1;
	}
	in = eng_xmalloc(GZ_IN);
	obuf = eng_xmalloc(GZ_OUT);
	rc = inflate_all(zfd, out, &z, in, obuf, &at, &text);
	err = errno;
	if (rc == Z_BUF_ERROR)
		snprintf(why, whylen, "compressed data cut short at byte %llu:"
		    " read the %llu bytes of text before it",
		    (unsigned long long)at, (unsigned long long)text);
	else if (rc != 0 && rc != Z_ERRNO)
		snprintf(why, whylen, "compressed data corrupt at byte %llu "
		    "(%s): read the %llu bytes of text before it",
		    (unsigned long long)at, z.msg != NULL ? z.msg : zError(rc),
		    (unsigned long long)text);
	inflateEnd(&z);
	free(in);
	free(obuf);
	if (rc == Z_ERRNO) {
		close(out);
		errno = err;
		return -1;
	}
	*text_size = text;
	return out;
}

bool
gz_name(const char *name, int *category, int *backup)
{
	size_t n = strlen(name);
	char *stem;
	const char *dot;
	bool ok;
	int cat;

	if (n < 4 || strcmp(name + n - 3, ".gz") != 0)
		return false;
	stem = eng_xstrndup(name, n - 3);
	cat = llmlog_category_from_file(stem);
	dot = stem + (cat >= 0 ? strlen(llmlog_category_file(cat)) : 0);
	if ((ok = cat >= 0 && *dot == '.')) {
		long b = strtol(dot + 1, NULL, 10);

		*category = cat;
		*backup = b > INT32_MAX ? INT32_MAX : (int)b;
	}
	free(stem);
	return ok;
}
