/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/peer-libmtp: the libmtp peer of the benchmarks. It does each case
 * through libmtp's public API in one session, as an application using
 * libmtp would (the mtp-tools start one process and session per file,
 * which would be an unfair comparison for many-file cases).
 *
 *   peer-libmtp get REMOTE_NAME LOCAL          a file from the storage's top
 *   peer-libmtp put LOCAL                      a file to the storage's top
 *   peer-libmtp get-tree REMOTE_FOLDER LOCAL   a folder and its tree
 *   peer-libmtp put-tree LOCAL                 a folder and its tree to the top
 *   peer-libmtp list REMOTE_FOLDER             list a folder (prints the count)
 */
#include <dirent.h>
#include <errno.h>
#include <libmtp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static LIBMTP_mtpdevice_t *dev;
static uint32_t storage;

static int die(const char *what)
{
    fprintf(stderr, "peer-libmtp: %s\n", what);
    LIBMTP_Dump_Errorstack(dev);
    return 1;
}

static LIBMTP_file_t *find(uint32_t parent, const char *name)
{
    LIBMTP_file_t *list = LIBMTP_Get_Files_And_Folders(dev, storage, parent), *hit = NULL;
    while (list) {
        LIBMTP_file_t *next = list->next;
        if (!hit && strcmp(list->filename, name) == 0) {
            hit = list;
            hit->next = NULL;
        } else {
            LIBMTP_destroy_file_t(list);
        }
        list = next;
    }
    return hit;
}

static int get_tree(uint32_t folder, const char *local)
{
    if (mkdir(local, 0777) < 0 && errno != EEXIST)
        return die("mkdir");
    LIBMTP_file_t *list = LIBMTP_Get_Files_And_Folders(dev, storage, folder);
    int rc = 0;
    while (list) {
        LIBMTP_file_t *next = list->next;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", local, list->filename);
        if (!rc) {
            if (list->filetype == LIBMTP_FILETYPE_FOLDER)
                rc = get_tree(list->item_id, path);
            else if (LIBMTP_Get_File_To_File(dev, list->item_id, path, NULL, NULL) != 0)
                rc = die("get");
        }
        LIBMTP_destroy_file_t(list);
        list = next;
    }
    return rc;
}

static int put_file(const char *path, const char *name, uint32_t parent)
{
    struct stat sb;
    if (stat(path, &sb) < 0)
        return die("stat");
    LIBMTP_file_t *f = LIBMTP_new_file_t();
    f->filename = strdup(name);
    f->filesize = (uint64_t)sb.st_size;
    f->filetype = LIBMTP_FILETYPE_UNKNOWN;
    f->parent_id = parent;
    f->storage_id = storage;
    int rc = LIBMTP_Send_File_From_File(dev, path, f, NULL, NULL);
    LIBMTP_destroy_file_t(f);
    return rc ? die("send") : 0;
}

static int put_tree(const char *local, const char *name, uint32_t parent)
{
    char *dup = strdup(name);
    uint32_t id = LIBMTP_Create_Folder(dev, dup, parent, storage);
    free(dup);
    if (!id)
        return die("create folder");
    DIR *d = opendir(local);
    if (!d)
        return die("opendir");
    struct dirent *e;
    int rc = 0;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", local, e->d_name);
        struct stat sb;
        if (stat(path, &sb) < 0)
            continue;
        rc = S_ISDIR(sb.st_mode) ? put_tree(path, e->d_name, id) : put_file(path, e->d_name, id);
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return fprintf(stderr, "usage: see the source\n"), 2;
    LIBMTP_Init();
    LIBMTP_raw_device_t *raw;
    int n;
    if (LIBMTP_Detect_Raw_Devices(&raw, &n) != LIBMTP_ERROR_NONE || n < 1)
        return fprintf(stderr, "peer-libmtp: no device\n"), 1;
    dev = LIBMTP_Open_Raw_Device_Uncached(&raw[0]);
    free(raw);
    if (!dev)
        return fprintf(stderr, "peer-libmtp: cannot open\n"), 1;
    if (LIBMTP_Get_Storage(dev, LIBMTP_STORAGE_SORTBY_NOTSORTED) != 0 || !dev->storage)
        return die("storage");
    storage = dev->storage->id;
    int rc = 0;
    const char *cmd = argv[1];
    if (!strcmp(cmd, "get") && argc == 4) {
        LIBMTP_file_t *f = find(LIBMTP_FILES_AND_FOLDERS_ROOT, argv[2]);
        if (!f)
            rc = die("no such file");
        else if (LIBMTP_Get_File_To_File(dev, f->item_id, argv[3], NULL, NULL) != 0)
            rc = die("get");
        if (f)
            LIBMTP_destroy_file_t(f);
    } else if (!strcmp(cmd, "put") && argc == 3) {
        const char *base = strrchr(argv[2], '/');
        rc = put_file(argv[2], base ? base + 1 : argv[2], 0);
    } else if (!strcmp(cmd, "get-tree") && argc == 4) {
        LIBMTP_file_t *f = find(LIBMTP_FILES_AND_FOLDERS_ROOT, argv[2]);
        rc = f ? get_tree(f->item_id, argv[3]) : die("no such folder");
        if (f)
            LIBMTP_destroy_file_t(f);
    } else if (!strcmp(cmd, "put-tree") && argc == 3) {
        const char *base = strrchr(argv[2], '/');
        rc = put_tree(argv[2], base ? base + 1 : argv[2], 0);
    } else if (!strcmp(cmd, "list") && argc == 3) {
        LIBMTP_file_t *f = find(LIBMTP_FILES_AND_FOLDERS_ROOT, argv[2]);
        if (!f) {
            rc = die("no such folder");
        } else {
            LIBMTP_file_t *list = LIBMTP_Get_Files_And_Folders(dev, storage, f->item_id);
            unsigned count = 0;
            while (list) {
                LIBMTP_file_t *next = list->next;
                count++;
                LIBMTP_destroy_file_t(list);
                list = next;
            }
            printf("%u\n", count);
            LIBMTP_destroy_file_t(f);
        }
    } else {
        rc = 2;
        fprintf(stderr, "peer-libmtp: bad arguments\n");
    }
    LIBMTP_Release_Device(dev);
    return rc;
}
