/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PTP (PIMA 15740 / ISO 15740) and MTP 1.1 code tables: operations,
 * responses, events, object formats, object and device properties, data
 * types. Each table is an X-macro list X(Name, value); the enums and the
 * name lookups are generated from it, so they cannot drift apart.
 */
#ifndef FERRY_CODEC_CODES_H
#define FERRY_CODEC_CODES_H

#include <stdint.h>

/* Operation codes. 0x1xxx PTP, 0x98xx MTP, 0x95Cx Android extensions. */
#define FC_OPERATIONS(X)                                                       \
    X(GetDeviceInfo, 0x1001)                                                   \
    X(OpenSession, 0x1002)                                                     \
    X(CloseSession, 0x1003)                                                    \
    X(GetStorageIDs, 0x1004)                                                   \
    X(GetStorageInfo, 0x1005)                                                  \
    X(GetNumObjects, 0x1006)                                                   \
    X(GetObjectHandles, 0x1007)                                                \
    X(GetObjectInfo, 0x1008)                                                   \
    X(GetObject, 0x1009)                                                       \
    X(GetThumb, 0x100A)                                                        \
    X(DeleteObject, 0x100B)                                                    \
    X(SendObjectInfo, 0x100C)                                                  \
    X(SendObject, 0x100D)                                                      \
    X(InitiateCapture, 0x100E)                                                 \
    X(FormatStore, 0x100F)                                                     \
    X(ResetDevice, 0x1010)                                                     \
    X(SelfTest, 0x1011)                                                        \
    X(SetObjectProtection, 0x1012)                                             \
    X(PowerDown, 0x1013)                                                       \
    X(GetDevicePropDesc, 0x1014)                                               \
    X(GetDevicePropValue, 0x1015)                                              \
    X(SetDevicePropValue, 0x1016)                                              \
    X(ResetDevicePropValue, 0x1017)                                            \
    X(TerminateOpenCapture, 0x1018)                                            \
    X(MoveObject, 0x1019)                                                      \
    X(CopyObject, 0x101A)                                                      \
    X(GetPartialObject, 0x101B)                                                \
    X(InitiateOpenCapture, 0x101C)                                             \
    X(GetPartialObject64, 0x95C1)                                              \
    X(SendPartialObject, 0x95C2)                                               \
    X(TruncateObject, 0x95C3)                                                  \
    X(BeginEditObject, 0x95C4)                                                 \
    X(EndEditObject, 0x95C5)                                                   \
    X(GetObjectPropsSupported, 0x9801)                                         \
    X(GetObjectPropDesc, 0x9802)                                               \
    X(GetObjectPropValue, 0x9803)                                              \
    X(SetObjectPropValue, 0x9804)                                              \
    X(GetObjectPropList, 0x9805)                                               \
    X(SetObjectPropList, 0x9806)                                               \
    X(GetInterdependentPropDesc, 0x9807)                                       \
    X(SendObjectPropList, 0x9808)                                              \
    X(GetObjectReferences, 0x9810)                                             \
    X(SetObjectReferences, 0x9811)                                             \
    X(Skip, 0x9820)

/* Response codes. */
#define FC_RESPONSES(X)                                                        \
    X(Undefined, 0x2000)                                                       \
    X(OK, 0x2001)                                                              \
    X(GeneralError, 0x2002)                                                    \
    X(SessionNotOpen, 0x2003)                                                  \
    X(InvalidTransactionID, 0x2004)                                            \
    X(OperationNotSupported, 0x2005)                                           \
    X(ParameterNotSupported, 0x2006)                                           \
    X(IncompleteTransfer, 0x2007)                                              \
    X(InvalidStorageID, 0x2008)                                                \
    X(InvalidObjectHandle, 0x2009)                                             \
    X(DevicePropNotSupported, 0x200A)                                          \
    X(InvalidObjectFormatCode, 0x200B)                                         \
    X(StoreFull, 0x200C)                                                       \
    X(ObjectWriteProtected, 0x200D)                                            \
    X(StoreReadOnly, 0x200E)                                                   \
    X(AccessDenied, 0x200F)                                                    \
    X(NoThumbnailPresent, 0x2010)                                              \
    X(SelfTestFailed, 0x2011)                                                  \
    X(PartialDeletion, 0x2012)                                                 \
    X(StoreNotAvailable, 0x2013)                                               \
    X(SpecificationByFormatUnsupported, 0x2014)                                \
    X(NoValidObjectInfo, 0x2015)                                               \
    X(InvalidCodeFormat, 0x2016)                                               \
    X(UnknownVendorCode, 0x2017)                                               \
    X(CaptureAlreadyTerminated, 0x2018)                                        \
    X(DeviceBusy, 0x2019)                                                      \
    X(InvalidParentObject, 0x201A)                                             \
    X(InvalidDevicePropFormat, 0x201B)                                         \
    X(InvalidDevicePropValue, 0x201C)                                          \
    X(InvalidParameter, 0x201D)                                                \
    X(SessionAlreadyOpen, 0x201E)                                              \
    X(TransactionCancelled, 0x201F)                                            \
    X(SpecificationOfDestinationUnsupported, 0x2020)                           \
    X(InvalidObjectPropCode, 0xA801)                                           \
    X(InvalidObjectPropFormat, 0xA802)                                         \
    X(InvalidObjectPropValue, 0xA803)                                          \
    X(InvalidObjectReference, 0xA804)                                          \
    X(GroupNotSupported, 0xA805)                                               \
    X(InvalidDataset, 0xA806)                                                  \
    X(SpecificationByGroupUnsupported, 0xA807)                                 \
    X(SpecificationByDepthUnsupported, 0xA808)                                 \
    X(ObjectTooLarge, 0xA809)                                                  \
    X(ObjectPropNotSupported, 0xA80A)

/* Event codes. */
#define FC_EVENTS(X)                                                           \
    X(CancelTransaction, 0x4001)                                               \
    X(ObjectAdded, 0x4002)                                                     \
    X(ObjectRemoved, 0x4003)                                                   \
    X(StoreAdded, 0x4004)                                                      \
    X(StoreRemoved, 0x4005)                                                    \
    X(DevicePropChanged, 0x4006)                                               \
    X(ObjectInfoChanged, 0x4007)                                               \
    X(DeviceInfoChanged, 0x4008)                                               \
    X(RequestObjectTransfer, 0x4009)                                           \
    X(StoreFull, 0x400A)                                                       \
    X(DeviceReset, 0x400B)                                                     \
    X(StorageInfoChanged, 0x400C)                                              \
    X(CaptureComplete, 0x400D)                                                 \
    X(UnreportedStatus, 0x400E)                                                \
    X(ObjectPropChanged, 0xC801)                                               \
    X(ObjectPropDescChanged, 0xC802)                                           \
    X(ObjectReferencesChanged, 0xC803)

/* Object format codes. */
#define FC_FORMATS(X)                                                          \
    X(Undefined, 0x3000)                                                       \
    X(Association, 0x3001)                                                     \
    X(Script, 0x3002)                                                          \
    X(Executable, 0x3003)                                                      \
    X(Text, 0x3004)                                                            \
    X(HTML, 0x3005)                                                            \
    X(DPOF, 0x3006)                                                            \
    X(AIFF, 0x3007)                                                            \
    X(WAV, 0x3008)                                                             \
    X(MP3, 0x3009)                                                             \
    X(AVI, 0x300A)                                                             \
    X(MPEG, 0x300B)                                                            \
    X(ASF, 0x300C)                                                             \
    X(UndefinedImage, 0x3800)                                                  \
    X(EXIF_JPEG, 0x3801)                                                       \
    X(TIFF_EP, 0x3802)                                                         \
    X(FlashPix, 0x3803)                                                        \
    X(BMP, 0x3804)                                                             \
    X(CIFF, 0x3805)                                                            \
    X(GIF, 0x3807)                                                             \
    X(JFIF, 0x3808)                                                            \
    X(PCD, 0x3809)                                                             \
    X(PICT, 0x380A)                                                            \
    X(PNG, 0x380B)                                                             \
    X(TIFF, 0x380D)                                                            \
    X(TIFF_IT, 0x380E)                                                         \
    X(JP2, 0x380F)                                                             \
    X(JPX, 0x3810)                                                             \
    X(DNG, 0x3811)                                                             \
    X(HEIF, 0x3812)                                                            \
    X(UndefinedFirmware, 0xB802)                                               \
    X(WindowsImageFormat, 0xB881)                                              \
    X(UndefinedAudio, 0xB900)                                                  \
    X(WMA, 0xB901)                                                             \
    X(OGG, 0xB902)                                                             \
    X(AAC, 0xB903)                                                             \
    X(Audible, 0xB904)                                                         \
    X(FLAC, 0xB906)                                                            \
    X(UndefinedVideo, 0xB980)                                                  \
    X(WMV, 0xB981)                                                             \
    X(MP4, 0xB982)                                                             \
    X(MP2, 0xB983)                                                             \
    X(3GP, 0xB984)                                                             \
    X(UndefinedCollection, 0xBA00)                                             \
    X(AbstractMultimediaAlbum, 0xBA01)                                         \
    X(AbstractImageAlbum, 0xBA02)                                              \
    X(AbstractAudioAlbum, 0xBA03)                                              \
    X(AbstractVideoAlbum, 0xBA04)                                              \
    X(AbstractAVPlaylist, 0xBA05)                                              \
    X(AbstractAudioPlaylist, 0xBA09)                                           \
    X(AbstractVideoPlaylist, 0xBA0A)                                           \
    X(WPLPlaylist, 0xBA10)                                                     \
    X(M3UPlaylist, 0xBA11)                                                     \
    X(MPLPlaylist, 0xBA12)                                                     \
    X(ASXPlaylist, 0xBA13)                                                     \
    X(PLSPlaylist, 0xBA14)                                                     \
    X(UndefinedDocument, 0xBA80)                                               \
    X(AbstractDocument, 0xBA81)                                                \
    X(XMLDocument, 0xBA82)                                                     \
    X(MSWordDocument, 0xBA83)                                                  \
    X(MSExcelSpreadsheet, 0xBA85)                                              \
    X(MSPowerpointPresentation, 0xBA86)

/* Object property codes (MTP). */
#define FC_OBJPROPS(X)                                                         \
    X(StorageID, 0xDC01)                                                       \
    X(ObjectFormat, 0xDC02)                                                    \
    X(ProtectionStatus, 0xDC03)                                                \
    X(ObjectSize, 0xDC04)                                                      \
    X(AssociationType, 0xDC05)                                                 \
    X(AssociationDesc, 0xDC06)                                                 \
    X(ObjectFileName, 0xDC07)                                                  \
    X(DateCreated, 0xDC08)                                                     \
    X(DateModified, 0xDC09)                                                    \
    X(Keywords, 0xDC0A)                                                        \
    X(ParentObject, 0xDC0B)                                                    \
    X(AllowedFolderContents, 0xDC0C)                                           \
    X(Hidden, 0xDC0D)                                                          \
    X(SystemObject, 0xDC0E)                                                    \
    X(PersistentUniqueObjectIdentifier, 0xDC41)                                \
    X(SyncID, 0xDC42)                                                          \
    X(PropertyBag, 0xDC43)                                                     \
    X(Name, 0xDC44)                                                            \
    X(CreatedBy, 0xDC45)                                                       \
    X(Artist, 0xDC46)                                                          \
    X(DateAuthored, 0xDC47)                                                    \
    X(Description, 0xDC48)                                                     \
    X(URLReference, 0xDC49)                                                    \
    X(LanguageLocale, 0xDC4A)                                                  \
    X(CopyrightInformation, 0xDC4B)                                            \
    X(Source, 0xDC4C)                                                          \
    X(OriginLocation, 0xDC4D)                                                  \
    X(DateAdded, 0xDC4E)                                                       \
    X(NonConsumable, 0xDC4F)                                                   \
    X(CorruptUnplayable, 0xDC50)                                               \
    X(ProducerSerialNumber, 0xDC51)                                            \
    X(Width, 0xDC87)                                                           \
    X(Height, 0xDC88)                                                          \
    X(Duration, 0xDC89)                                                        \
    X(Rating, 0xDC8A)                                                          \
    X(Track, 0xDC8B)                                                           \
    X(Genre, 0xDC8C)                                                           \
    X(Credits, 0xDC8D)                                                         \
    X(Lyrics, 0xDC8E)                                                          \
    X(UseCount, 0xDC91)                                                        \
    X(LastAccessed, 0xDC93)                                                    \
    X(ParentalRating, 0xDC94)                                                  \
    X(MetaGenre, 0xDC95)                                                       \
    X(Composer, 0xDC96)                                                        \
    X(EffectiveRating, 0xDC97)                                                 \
    X(Subtitle, 0xDC98)                                                        \
    X(OriginalReleaseDate, 0xDC99)                                             \
    X(AlbumName, 0xDC9A)                                                       \
    X(AlbumArtist, 0xDC9B)                                                     \
    X(Mood, 0xDC9C)                                                            \
    X(DRMStatus, 0xDC9D)                                                       \
    X(SubDescription, 0xDC9E)                                                  \
    X(BitrateType, 0xDE92)                                                     \
    X(SampleRate, 0xDE93)                                                      \
    X(NumberOfChannels, 0xDE94)                                                \
    X(AudioBitDepth, 0xDE95)                                                   \
    X(AudioWAVECodec, 0xDE99)                                                  \
    X(AudioBitRate, 0xDE9A)                                                    \
    X(VideoFourCCCodec, 0xDE9B)                                                \
    X(VideoBitRate, 0xDE9C)                                                    \
    X(FramesPerThousandSeconds, 0xDE9D)                                        \
    X(KeyFrameDistance, 0xDE9E)

/* Device property codes. */
#define FC_DEVPROPS(X)                                                         \
    X(Undefined, 0x5000)                                                       \
    X(BatteryLevel, 0x5001)                                                    \
    X(FunctionalMode, 0x5002)                                                  \
    X(ImageSize, 0x5003)                                                       \
    X(DateTime, 0x5011)                                                        \
    X(SynchronizationPartner, 0xD401)                                          \
    X(DeviceFriendlyName, 0xD402)                                              \
    X(Volume, 0xD403)                                                          \
    X(SupportedFormatsOrdered, 0xD404)                                         \
    X(DeviceIcon, 0xD405)                                                      \
    X(SessionInitiatorVersionInfo, 0xD406)                                     \
    X(PerceivedDeviceType, 0xD407)                                             \
    X(PlaybackRate, 0xD410)                                                    \
    X(PlaybackObject, 0xD411)                                                  \
    X(PlaybackContainerIndex, 0xD412)                                          \
    X(PlaybackPosition, 0xD413)

/* Data type codes (PTP 5.3). Arrays are 0x4000 | element type. */
#define FC_DATATYPES(X)                                                        \
    X(UNDEF, 0x0000)                                                           \
    X(INT8, 0x0001)                                                            \
    X(UINT8, 0x0002)                                                           \
    X(INT16, 0x0003)                                                           \
    X(UINT16, 0x0004)                                                          \
    X(INT32, 0x0005)                                                           \
    X(UINT32, 0x0006)                                                          \
    X(INT64, 0x0007)                                                           \
    X(UINT64, 0x0008)                                                          \
    X(INT128, 0x0009)                                                          \
    X(UINT128, 0x000A)                                                         \
    X(AINT8, 0x4001)                                                           \
    X(AUINT8, 0x4002)                                                          \
    X(AINT16, 0x4003)                                                          \
    X(AUINT16, 0x4004)                                                         \
    X(AINT32, 0x4005)                                                          \
    X(AUINT32, 0x4006)                                                         \
    X(AINT64, 0x4007)                                                          \
    X(AUINT64, 0x4008)                                                         \
    X(AINT128, 0x4009)                                                         \
    X(AUINT128, 0x400A)                                                        \
    X(STR, 0xFFFF)

#define FC__ENUM_OC(n, v) FC_OC_##n = (v),
#define FC__ENUM_RC(n, v) FC_RC_##n = (v),
#define FC__ENUM_EC(n, v) FC_EC_##n = (v),
#define FC__ENUM_OFC(n, v) FC_OFC_##n = (v),
#define FC__ENUM_OPC(n, v) FC_OPC_##n = (v),
#define FC__ENUM_DPC(n, v) FC_DPC_##n = (v),
#define FC__ENUM_DTC(n, v) FC_DTC_##n = (v),
enum fc_operation { FC_OPERATIONS(FC__ENUM_OC) };
enum fc_response { FC_RESPONSES(FC__ENUM_RC) };
enum fc_event { FC_EVENTS(FC__ENUM_EC) };
enum fc_format { FC_FORMATS(FC__ENUM_OFC) };
enum fc_objprop { FC_OBJPROPS(FC__ENUM_OPC) };
enum fc_devprop { FC_DEVPROPS(FC__ENUM_DPC) };
enum fc_datatype { FC_DATATYPES(FC__ENUM_DTC) };

#define FC_DTC_ARRAY 0x4000

/* Association types (ObjectInfo AssociationType). */
enum {
    FC_AT_UNDEFINED = 0x0000,
    FC_AT_GENERIC_FOLDER = 0x0001,
};

/* Storage types, file system types, access capability (StorageInfo). */
enum {
    FC_ST_FIXED_ROM = 0x0001,
    FC_ST_REMOVABLE_ROM = 0x0002,
    FC_ST_FIXED_RAM = 0x0003,
    FC_ST_REMOVABLE_RAM = 0x0004,
    FC_FST_GENERIC_FLAT = 0x0001,
    FC_FST_GENERIC_HIERARCHICAL = 0x0002,
    FC_FST_DCF = 0x0003,
    FC_AC_READ_WRITE = 0x0000,
    FC_AC_READ_ONLY = 0x0001,
    FC_AC_READ_ONLY_DELETE = 0x0002,
};

/* Names for logs and the CLI ("GetObjectPropList", "StoreFull", ...).
 * Unknown codes give NULL; fc_code_str() formats those as hex instead. */
const char *fc_operation_name(uint16_t code);
const char *fc_response_name(uint16_t code);
const char *fc_event_name(uint16_t code);
const char *fc_format_name(uint16_t code);
const char *fc_objprop_name(uint16_t code);
const char *fc_devprop_name(uint16_t code);
const char *fc_datatype_name(uint16_t code);

/* Name or "0xXXXX" into buf (at least 8 bytes); returns buf or the
 * static name. */
const char *fc_code_str(const char *(*lookup)(uint16_t), uint16_t code, char buf[8]);

#endif
