/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <ferry/error.h>

#include "codec/codes.h"

FERRY_API const char *ferry_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define FERRY__ERR_MSG(name, value, msg)                                       \
    case value:                                                                \
        return msg;
        FERRY_ERRNO_MAP(FERRY__ERR_MSG)
#undef FERRY__ERR_MSG
    default:
        return "unknown error";
    }
}

FERRY_API const char *ferry_err_name(int err)
{
    switch (err) {
    case 0:
        return "OK";
#define FERRY__ERR_NAME(name, value, msg)                                      \
    case value:                                                                \
        return #name;
        FERRY_ERRNO_MAP(FERRY__ERR_NAME)
#undef FERRY__ERR_NAME
    default:
        return "UNKNOWN";
    }
}

FERRY_API int ferry_err_from_response(uint16_t rc)
{
    switch (rc) {
    case FC_RC_OK:
        return 0;
    case FC_RC_OperationNotSupported:
    case FC_RC_ParameterNotSupported:
    case FC_RC_SpecificationByFormatUnsupported:
    case FC_RC_SpecificationByGroupUnsupported:
    case FC_RC_SpecificationByDepthUnsupported:
    case FC_RC_SpecificationOfDestinationUnsupported:
    case FC_RC_DevicePropNotSupported:
    case FC_RC_ObjectPropNotSupported:
    case FC_RC_InvalidObjectPropCode:
    case FC_RC_GroupNotSupported:
    case FC_RC_UnknownVendorCode:
        return FERRY_ENOTSUP;
    case FC_RC_InvalidStorageID:
    case FC_RC_InvalidObjectHandle:
    case FC_RC_InvalidParentObject:
    case FC_RC_StoreNotAvailable:
    case FC_RC_NoThumbnailPresent:
    case FC_RC_InvalidObjectReference:
        return FERRY_ENOENT;
    case FC_RC_StoreFull:
    case FC_RC_ObjectTooLarge:
        return FERRY_ESTORAGE_FULL;
    case FC_RC_ObjectWriteProtected:
    case FC_RC_StoreReadOnly:
        return FERRY_EREADONLY;
    case FC_RC_AccessDenied:
        return FERRY_EACCESS;
    case FC_RC_DeviceBusy:
        return FERRY_EBUSY;
    case FC_RC_TransactionCancelled:
        return FERRY_ECANCELLED;
    case FC_RC_IncompleteTransfer:
        return FERRY_EIO;
    case FC_RC_InvalidDataset:
    case FC_RC_InvalidObjectPropFormat:
    case FC_RC_InvalidObjectPropValue:
    case FC_RC_InvalidDevicePropFormat:
    case FC_RC_InvalidDevicePropValue:
    case FC_RC_InvalidParameter:
    case FC_RC_InvalidCodeFormat:
    case FC_RC_InvalidObjectFormatCode:
    case FC_RC_NoValidObjectInfo:
        return FERRY_EINVAL;
    default:
        return FERRY_EDEVICE;
    }
}
