"""Removing a workspace member the way the owner's browser does: the next key, granted to every
member who remains."""

from __future__ import annotations

from pycrypto_wasm.service.params import to_b64
from pycrypto_wasm.workspace import keys
from tests.api.workspaces.conftest import Member, Workspace


def remove_member(workspace: Workspace, member: Member, remaining: list[Member]) -> None:
    new_index = workspace.keyring.rotate()
    grants = [{"user_id": m.person.user_id, "key_index": new_index,
               "grant": to_b64(keys.grant(workspace.owner.signing, m.box.public_key,
                                          organization=workspace.organization.organization_id,
                                          workspace=workspace.workspace_id, index=new_index,
                                          key=workspace.keyring.key(new_index)))}
              for m in [workspace.owner, *remaining]]
    response = workspace.owner.person.client.delete(
        f"/api/workspaces/{workspace.workspace_id}/members/{member.person.user_id}",
        json={"grants": grants})
    assert response.status_code == 200, response.json
