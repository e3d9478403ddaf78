// Package iam serves AWS Identity and Access Management over the awsQuery protocol.
//
// IAM is global: its entities belong to an account, whatever region a request is signed
// for, and live in iam_resources with region "". Names of roles, users, groups, managed
// policies and instance profiles are unique in their account regardless of case.
//
// Supported operations:
//
//   - Roles: CreateRole (the trust policy is checked as AWS does: MalformedPolicyDocument),
//     GetRole, ListRoles (PathPrefix, Marker/MaxItems), UpdateRole,
//     UpdateRoleDescription, UpdateAssumeRolePolicy, DeleteRole (DeleteConflict while
//     policies are attached, inline policies exist or an instance profile holds the
//     role), TagRole, UntagRole, ListRoleTags, Put/DeleteRolePermissionsBoundary. Each
//     operation answers the members AWS answers (CreateRole has no MaxSessionDuration,
//     ListRoles no tags).
//   - Managed policies: CreatePolicy, GetPolicy, DeletePolicy, ListPolicies (Scope,
//     OnlyAttached, PathPrefix, paging), CreatePolicyVersion (at most five versions),
//     GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion, SetDefaultPolicyVersion,
//     TagPolicy, UntagPolicy, ListPolicyTags (keys case-sensitive), ListEntitiesForPolicy.
//     AttachmentCount counts the account's attachments.
//   - Policy documents are checked with IAM's grammar and in IAM's order (policydoc.go):
//     syntax, version (identity policies need "2012-10-17"), legacy parsing (effect
//     spelling, ARN field counts, Date condition values), statement ids, actions,
//     resources, resource formats (partition, region, IAM paths), action prefixes; each
//     failure answers MalformedPolicyDocument with AWS's message. Trust policies have
//     their own rules (sts actions only, a Principal, no Resource).
//   - AWS managed policies (arn:aws:iam::aws:policy/...): a catalog of the commonly
//     attached ones (awsmanaged.json) can be read, listed and attached; an ARN outside it
//     answers NoSuchEntity, as an unknown AWS ARN does.
//   - Attach/Detach/ListAttached{Role,User,Group}Policies; inline policies of roles,
//     users and groups (Put/Get/Delete/List{Role,User,Group}Policy/Policies), documents
//     answered URL-encoded as AWS does.
//   - Users and access keys: CreateUser, GetUser (without a name: the caller), ListUsers,
//     UpdateUser (rename, new path), DeleteUser, TagUser, UntagUser, ListUserTags,
//     CreateAccessKey (AKIA..., two per user), ListAccessKeys, UpdateAccessKey,
//     DeleteAccessKey, GetAccessKeyLastUsed (always "never used"). Groups: CreateGroup,
//     GetGroup, ListGroups, ListGroupsForUser, UpdateGroup, DeleteGroup, AddUserToGroup,
//     RemoveUserFromGroup. Instance profiles: Create, Get, List, ListForRole, Delete,
//     AddRoleToInstanceProfile, RemoveRoleFromInstanceProfile.
//
// Access keys and unique ids carry their account as AWS's do (ids.go); a request signed
// with an access key IAM created or credentials STS issued acts in that key's account.
//
// Known gaps: policies are stored and checked for grammar, never evaluated; the
// AWS managed catalog is small, each of its policies has one version, and the documents
// of the broad ones (ReadOnlyAccess, AWSLambda_FullAccess) are abridged to the
// statements about the services Overcast serves; RoleLastUsed is always empty; every
// other operation (login profiles, MFA, OIDC and SAML providers, server certificates,
// account settings, service-linked roles, credential reports, simulation, ...) answers
// NotImplemented.
package iam
